# Applied to FerretDB v1.24.2 internal/backends/sqlite/collection.go at build time, together
# with id_in_pushdown.go.txt copied into the same package as id_in_pushdown.go.
#
# Why: see id_in_pushdown.go.txt. In Query, when the lone-_id pushdown did not apply, try the
# {_id: {$in: [...]}} one before the clause is appended (the first `q += whereClause` is Query's).
0,/^\tq += whereClause$/s//\tif whereClause == "" {\n\t\twhereClause, args = pinzhiIDInClause(params.Filter)\n\t}\n\n\tq += whereClause/

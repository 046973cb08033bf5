# Applied to FerretDB v1.24.2 internal/backends/sqlite/collection.go at build time, together
# with id_in_pushdown.go.txt copied into the same package as id_in_pushdown.go.
#
# Why: see id_in_pushdown.go.txt. In Query, when the lone-_id pushdown did not apply, try the
# {_id: {$in: [...]}} one before the clause is appended (the first `q += whereClause` is Query's).
0,/^\tq += whereClause$/s//\tif whereClause == "" {\n\t\twhereClause, args = pinzhiIDInClause(params.Filter)\n\t}\n\n\tq += whereClause/
# And in Explain (whose filter pushdown is checked by test/platform/mongo.test.ts).
0,/^\torderByClause := prepareOrderByClause(params.Sort)$/s//\tif whereClause == "" {\n\t\tif whereClause, args = pinzhiIDInClause(params.Filter); whereClause != "" {\n\t\t\tfilterPushdown = true\n\t\t}\n\t}\n\n\torderByClause := prepareOrderByClause(params.Sort)/

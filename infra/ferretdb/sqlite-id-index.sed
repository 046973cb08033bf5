# Applied to FerretDB v1.24.2 internal/backends/sqlite/metadata/metadata.go at build time
# (go build -overlay; the module itself stays as the Go proxy serves it).
#
# Why: the SQLite backend creates the unique _id index on the expression
#   _ferretdb_sjson->"_id"
# but queries, updates and deletes by _id filter on
#   _ferretdb_sjson->'$._id'
# SQLite matches index expressions by their text, so no _id lookup ever used the index: each
# one scanned the whole table (measured: updateOne by _id 223/s at 100 documents, 24/s at
# 2 000). Both expressions select the same JSON value; writing the filter the way the index
# is written lets SQLite use it ("SEARCH ... USING INDEX ..._id_" instead of "SCAN").
s|IDColumn = DefaultColumn + "->'\$\._id'"|IDColumn = DefaultColumn + "->'_id'"|

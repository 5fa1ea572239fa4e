module github.com/trustc-dev/trustc

go 1.26.0

require (
	github.com/sigstore/protobuf-specs v0.5.2
	google.golang.org/protobuf v1.36.12
)

require google.golang.org/genproto/googleapis/api v0.0.0-20260526163538-3dc84a4a5aaa // indirect

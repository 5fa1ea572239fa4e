module github.com/trustc-dev/trustc

go 1.26.0

require (
	cuelang.org/go v0.17.1 // indirect
	github.com/google/go-cmp v0.7.0 // indirect
	github.com/sigstore/protobuf-specs v0.5.2 // indirect
	github.com/sigstore/sigstore-go v1.3.0 // indirect
	github.com/theupdateframework/go-tuf/v2 v2.4.2 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
)

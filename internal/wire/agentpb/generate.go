// Package agentpb holds the protobuf messages and gRPC service of the
// agent ↔ server protocol, generated from agent.proto. The generated files
// are committed so that building needs no protoc.
package agentpb

//go:generate sh gen.sh

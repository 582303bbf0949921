package nats
import _ "github.com/nats-io/nats.go"
import _ "github.com/nats-io/nats-server/v2/server"
import _ "github.com/hyperlane-go/hyperlane/hyperlane/broadcast"

package openapi

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/hyperlane-go/hyperlane/hyperlane/broadcast"
)

// Room describes the rooms of a broadcast hub as a channel of the
// AsyncAPI document, carrying messages of the hub's type M: a room is
// where the app sends M to every subscriber. address names the rooms,
// such as "chat/{room}" ({room} becomes a channel parameter); name is
// the message's name. The hub itself is not changed: Room documents it,
// and ties the documented type to the hub's by its type parameter.
// Summary, Description and Tags describe the channel; OperationID sets
// its key (default: the address in lowerCamelCase). It panics on an
// empty address or name, or a key already used.
func Room[M any](r Registrar, address, name string, hub *broadcast.Hub[M], opts ...Option) {
	fail := func(err error) { panic(fmt.Sprintf("openapi: Room %q: %v", address, err)) }
	if r == nil {
		fail(errors.New("nil API or Group"))
	}
	if hub == nil {
		fail(errors.New("nil hub"))
	}
	if strings.TrimSpace(address) == "" || name == "" {
		fail(errors.New("a room needs an address, such as \"chat/{room}\", and a message name"))
	}
	sc := r.scope()
	cfg := &operationConfig{}
	for _, o := range opts {
		o(cfg)
	}
	merged := sc.defaults.inherit(cfg)
	merged.security = nil // a room is not called: it has no security of its own
	id := cfg.id
	if id == "" {
		id = defaultOperationID("room", "/"+strings.Trim(address, "/"))
	}
	id = sc.operationID(id)
	ch := &channelDoc{kind: channelRoom, id: id, address: address, cfg: &merged, params: map[string]string{},
		sends: []*messageDecl{{name: name, typ: reflect.TypeFor[M]()}}}
	for rest := address; ; {
		i := strings.IndexByte(rest, '{')
		j := strings.IndexByte(rest, '}')
		if i < 0 || j < i {
			break
		}
		ch.params[rest[i+1:j]] = ""
		rest = rest[j+1:]
	}
	api := sc.api
	api.mu.Lock()
	defer api.mu.Unlock()
	if err := api.addChannel(ch); err != nil {
		fail(err)
	}
}

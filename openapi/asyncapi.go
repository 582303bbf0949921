package openapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
)

// AsyncAPIVersion is the version of the AsyncAPI document the API
// serves beside its OpenAPI one.
const AsyncAPIVersion = "3.0.0"

// channelKind is what a channel of the AsyncAPI document describes.
type channelKind uint8

const (
	channelSocket channelKind = iota // a typed WebSocket (WebSocket)
	channelSSE                       // a typed Server-Sent Events operation (SSE)
	channelRoom                      // a broadcast room (Room)
)

// channelDoc is everything the AsyncAPI document says about one
// channel.
type channelDoc struct {
	kind          channelKind
	id            string // the operation id, the channel's key
	address       string // an OpenAPI-style path, "/rooms/{room}"
	cfg           *operationConfig
	receives      []*messageDecl // what the app receives (a socket's incoming messages)
	sends         []*messageDecl // what the app sends
	discriminator string
	fallback      string       // the message an object without the discriminator is taken for
	invalid       *messageDecl // the answer to an invalid message, or nil
	params        map[string]string
	query         map[string]any // the handshake's query parameters, as one object schema
	headers       map[string]any
}

// asyncState is the AsyncAPI side of an API: its channels and the
// component schemas their messages name. Guarded by API.mu.
type asyncState struct {
	channels []*channelDoc
	ids      map[string]bool
	schemas  map[string]map[string]any
	rendered map[renderKey][]byte
}

// addChannel records a channel. a.mu is held.
func (a *API) addChannel(ch *channelDoc) error {
	if a.async.ids[ch.id] {
		return fmt.Errorf("channel %q is already in the AsyncAPI document", ch.id)
	}
	a.async.ids[ch.id] = true
	a.async.channels = append(a.async.channels, ch)
	clear(a.async.rendered)
	return nil
}

// handshake reads the parameters of a socket's handshake from its
// OpenAPI operation: path parameters become the channel's parameters,
// query and header ones its WebSocket binding. The component schemas
// they refer to join the document's.
func (ch *channelDoc) handshake(opJSON []byte, from map[string]map[string]any, into map[string]map[string]any) error {
	var op struct {
		Parameters []struct {
			Name        string         `json:"name"`
			In          string         `json:"in"`
			Description string         `json:"description"`
			Required    bool           `json:"required"`
			Schema      map[string]any `json:"schema"`
		} `json:"parameters"`
	}
	if err := json.Unmarshal(opJSON, &op); err != nil {
		return err
	}
	ch.params = map[string]string{}
	add := func(obj *map[string]any, name string, required bool, schema map[string]any) {
		if *obj == nil {
			*obj = map[string]any{"type": "object", "properties": map[string]any{}}
		}
		(*obj)["properties"].(map[string]any)[name] = schema
		if required {
			req, _ := (*obj)["required"].([]any)
			(*obj)["required"] = append(req, name)
		}
		collectInto(schema, from, into)
	}
	for _, p := range op.Parameters {
		if p.Schema == nil {
			p.Schema = map[string]any{"type": "string"}
		}
		if p.Description != "" {
			p.Schema["description"] = p.Description
		}
		switch p.In {
		case inPath:
			ch.params[p.Name] = p.Description
		case inQuery:
			add(&ch.query, p.Name, p.Required, p.Schema)
		case inHeader:
			add(&ch.headers, p.Name, p.Required, p.Schema)
		}
	}
	return nil
}

// collectInto copies the component schemas v refers to from one set
// into another.
func collectInto(v any, from, into map[string]map[string]any) {
	closure := map[string]any{}
	collectRefs(v, from, closure)
	for name, s := range closure {
		if _, ok := into[name]; !ok {
			into[name] = s.(map[string]any)
		}
	}
}

// asyncDocument builds the AsyncAPI document; host and secure describe
// where it was asked from, prefix the mount prefix. a.mu is held.
func (a *API) asyncDocument(host string, secure bool, prefix string) (*ordered, error) {
	c := a.config
	info := &ordered{}
	info.set("title", c.Title)
	info.set("version", c.Version)
	if c.Description != "" {
		info.set("description", c.Description)
	}
	if c.Contact != nil {
		info.set("contact", dropEmpty(map[string]any{"name": c.Contact.Name, "url": c.Contact.URL, "email": c.Contact.Email}))
	}
	if c.License != nil {
		info.set("license", dropEmpty(map[string]any{"name": c.License.Name, "url": c.License.URL}))
	}
	doc := &ordered{}
	doc.set("asyncapi", AsyncAPIVersion)
	doc.set("info", info)
	doc.set("defaultContentType", mimeJSON)

	channels, operations, messages := map[string]any{}, map[string]any{}, map[string]any{}
	used := map[channelKind]bool{}
	for _, ch := range a.async.channels {
		used[ch.kind] = true
		if err := a.describeChannel(ch, channels, operations, messages); err != nil {
			return nil, err
		}
	}
	servers := map[string]any{}
	scheme := func(plain, tls string) string {
		if secure {
			return tls
		}
		return plain
	}
	server := func(protocol, description string) map[string]any {
		s := map[string]any{"host": host, "protocol": protocol, "description": description}
		if prefix != "" { // the mount prefix; addresses hold Config.Prefix, as OpenAPI paths do
			s["pathname"] = prefix
		}
		return s
	}
	if used[channelSocket] {
		servers["ws"] = server(scheme("ws", "wss"), "WebSocket endpoints: the channel's address is the path of the handshake (a GET).")
	}
	if used[channelSSE] {
		servers["http"] = server(scheme("http", "https"), "Server-Sent Events streams: the channel's address is the path of the GET that opens the stream.")
	}
	if len(servers) > 0 {
		doc.set("servers", servers)
	}
	doc.set("channels", channels)
	doc.set("operations", operations)
	components := &ordered{}
	schemas := map[string]any{}
	for name, s := range a.async.schemas {
		schemas[name] = s
	}
	if len(schemas) > 0 {
		components.set("schemas", schemas)
	}
	if len(messages) > 0 {
		components.set("messages", messages)
	}
	if sec := a.asyncSchemes(); len(sec) > 0 {
		components.set("securitySchemes", sec)
	}
	doc.set("components", components)
	return doc, nil
}

// describeChannel adds a channel, its operations and its messages.
func (a *API) describeChannel(ch *channelDoc, channels, operations, messages map[string]any) error {
	key := componentKey(ch.id)
	chDoc := map[string]any{"address": ch.address}
	cfg := ch.cfg
	if cfg.summary != "" {
		chDoc["title"] = cfg.summary
	}
	if d := a.channelDescription(ch); d != "" {
		chDoc["description"] = d
	}
	if len(ch.params) > 0 {
		params := map[string]any{}
		for name, desc := range ch.params {
			params[name] = dropEmpty(map[string]any{"description": desc})
		}
		chDoc["parameters"] = params
	}
	switch ch.kind {
	case channelSocket:
		chDoc["servers"] = []any{map[string]any{"$ref": "#/servers/ws"}}
		ws := map[string]any{"method": http.MethodGet, "bindingVersion": "0.1.0"}
		if ch.query != nil {
			ws["query"] = ch.query
		}
		if ch.headers != nil {
			ws["headers"] = ch.headers
		}
		chDoc["bindings"] = map[string]any{"ws": ws}
	case channelSSE:
		chDoc["servers"] = []any{map[string]any{"$ref": "#/servers/http"}}
	}
	if len(cfg.tags) > 0 {
		tags := make([]any, len(cfg.tags))
		for i, t := range cfg.tags {
			tags[i] = map[string]any{"name": t}
		}
		chDoc["tags"] = tags
	}
	chMessages := map[string]any{}
	refs := func(dir string, list []*messageDecl, taken map[string]bool) ([]any, error) {
		var out []any
		for _, m := range list {
			schema, err := a.messageSchema(m.typ)
			if err != nil {
				return nil, fmt.Errorf("message %q (%v): %w", m.name, m.typ, err)
			}
			mkey := componentKey(m.name)
			if taken[mkey] {
				mkey += "Sent"
			}
			taken[mkey] = true
			comp := componentKey(ch.id + "." + dir + "." + m.name)
			switch m.typ {
			case rawTextType:
				schema = map[string]any{"type": "string"}
			case rawBinaryType:
				schema = map[string]any{"type": "string", "format": "binary"}
			}
			msg := map[string]any{"name": m.name, "title": m.name, "contentType": m.contentType()}
			if dir == "receive" && ch.discriminator != "" {
				msg["summary"] = fmt.Sprintf("Sent with %q: %q.", ch.discriminator, m.name)
				if m.hasDisc {
					schema = map[string]any{"allOf": []any{schema, map[string]any{
						"type": "object", "required": []any{ch.discriminator},
						"properties": map[string]any{ch.discriminator: map[string]any{"const": m.name}},
					}}}
				}
			}
			if m == ch.invalid {
				msg["summary"] = "The answer to an invalid incoming message; the socket stays open."
			}
			msg["payload"] = schema
			messages[comp] = msg
			chMessages[mkey] = map[string]any{"$ref": "#/components/messages/" + comp}
			out = append(out, map[string]any{"$ref": "#/channels/" + key + "/messages/" + mkey})
		}
		return out, nil
	}
	taken := map[string]bool{}
	in, err := refs("receive", ch.receives, taken)
	if err != nil {
		return err
	}
	out, err := refs("send", ch.sends, taken)
	if err != nil {
		return err
	}
	chDoc["messages"] = chMessages
	channels[key] = chDoc
	op := func(action string, msgs []any, summary string) {
		o := map[string]any{"action": action, "channel": map[string]any{"$ref": "#/channels/" + key}, "messages": msgs, "summary": summary}
		if sec := a.asyncSecurity(cfg.security); len(sec) > 0 {
			o["security"] = sec
		}
		if ch.kind == channelSSE {
			b := map[string]any{"method": http.MethodGet, "bindingVersion": "0.3.0"}
			if ch.query != nil {
				b["query"] = ch.query
			}
			o["bindings"] = map[string]any{"http": b}
		}
		operations[componentKey(ch.id+strings.ToUpper(action[:1])+action[1:])] = o
	}
	if len(in) > 0 {
		op("receive", in, "The messages the client sends.")
	}
	if len(out) > 0 {
		summary := "The messages the server sends."
		switch ch.kind {
		case channelSSE:
			summary = "The events of the stream, one message per event name."
		case channelRoom:
			summary = "The messages published to the room."
		}
		op("send", out, summary)
	}
	return nil
}

// channelDescription is the operation's description, and for a socket
// what it does with an invalid message.
func (a *API) channelDescription(ch *channelDoc) string {
	d := ch.cfg.description
	add := func(s string) {
		if d != "" {
			d += "\n\n"
		}
		d += s
	}
	switch ch.kind {
	case channelSocket:
		if ch.discriminator != "" {
			add(fmt.Sprintf("Incoming messages are JSON objects told apart by their %q property.", ch.discriminator))
			if ch.fallback != "" {
				add(fmt.Sprintf("An object without %q is taken as a %q message.", ch.discriminator, ch.fallback))
			}
		}
		if len(ch.receives) > 0 {
			if ch.invalid != nil {
				add(fmt.Sprintf("An invalid incoming message (not JSON, an unknown kind, or refused by its schema) is answered with the %q message, and the socket stays open.", ch.invalid.name))
			} else {
				add("An invalid incoming message (not JSON, an unknown kind, or refused by its schema) closes the socket with 1007 (invalid payload) and a reason naming the problem.")
			}
		}
	case channelSSE:
		add("A stream of Server-Sent Events (text/event-stream): each event's `event` field is the message's name (none for \"message\") and its `data` the JSON payload.")
	case channelRoom:
		add("A broadcast room: every message published to it reaches each of its subscribers.")
	}
	return d
}

// asyncSchemes lists the security schemes in AsyncAPI terms.
func (a *API) asyncSchemes() map[string]any {
	out := map[string]any{}
	for name, s := range a.schemes {
		var m map[string]any
		switch s.Type {
		case "apiKey":
			m = map[string]any{"type": "httpApiKey", "name": s.Param, "in": s.In}
		default:
			m = map[string]any{"type": "http", "scheme": s.Scheme}
			if s.Format != "" {
				m["bearerFormat"] = s.Format
			}
		}
		if s.Description != "" {
			m["description"] = s.Description
		}
		out[componentKey(name)] = m
	}
	return out
}

// asyncSecurity refers to the schemes an operation requires (any one of
// them; AsyncAPI has no scopes outside OAuth).
func (a *API) asyncSecurity(security [][]string) []any {
	var out []any
	seen := map[string]bool{}
	for _, s := range security {
		if !seen[s[0]] {
			seen[s[0]] = true
			out = append(out, map[string]any{"$ref": "#/components/securitySchemes/" + componentKey(s[0])})
		}
	}
	return out
}

var keyChars = regexp.MustCompile(`[^a-zA-Z0-9._-]`)

// componentKey turns a name into a key AsyncAPI allows in components
// (letters, digits, '.', '-', '_').
func componentKey(s string) string { return keyChars.ReplaceAllString(s, "_") }

// dropEmpty removes the empty strings of m.
func dropEmpty(m map[string]any) map[string]any {
	for k, v := range m {
		if v == "" {
			delete(m, k)
		}
	}
	return m
}

// eventDecls turns an SSE operation's events into messages.
func eventDecls(p *eventPlan) []*messageDecl {
	var out []*messageDecl
	j := 0
	for _, name := range p.names {
		if name == "" {
			continue
		}
		out = append(out, &messageDecl{name: name, typ: p.types[j]})
		j++
	}
	return out
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

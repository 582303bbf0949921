package hyperlane

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Config holds the server settings in a form that can come from a JSON
// file and from environment variables (Hyperlane's config-from-JSON).
// Every field is optional: an unset field (nil, "" or an empty list)
// leaves the Server's default, or an earlier option, in place. Apply it
// with WithConfig.
//
// In JSON, durations are strings such as "10s" or "1m30s" and sizes are
// integers in bytes. Each key can be overridden by the environment
// variable HYPERLANE_<KEY> in upper case, such as HYPERLANE_ADDR or
// HYPERLANE_MAX_BODY_BYTES; lists there are comma-separated. From Go,
// set pointer fields with new: Config{MaxConns: new(512)}.
type Config struct {
	Addr                  string         `json:"addr,omitempty"`                    // WithAddr
	TCPNoDelay            *bool          `json:"tcp_nodelay,omitempty"`             // WithNoDelay
	LingerSeconds         *int           `json:"linger_seconds,omitempty"`          // WithLinger; -1 is off
	TTL                   *int           `json:"ttl,omitempty"`                     // WithTTL; 0 to 255
	ReadBuffer            *int           `json:"read_buffer,omitempty"`             // WithBufferSizes, SO_RCVBUF
	WriteBuffer           *int           `json:"write_buffer,omitempty"`            // WithBufferSizes, SO_SNDBUF
	KeepAlive             *time.Duration `json:"keep_alive,omitempty"`              // WithKeepAlive; "0s" is off
	ReusePort             *bool          `json:"reuse_port,omitempty"`              // WithReusePort
	MaxConns              *int           `json:"max_conns,omitempty"`               // WithMaxConns; 0 is no limit
	ReadHeaderTimeout     *time.Duration `json:"read_header_timeout,omitempty"`     // WithReadHeaderTimeout
	IdleTimeout           *time.Duration `json:"idle_timeout,omitempty"`            // WithIdleTimeout
	ReadIdleTimeout       *time.Duration `json:"read_idle_timeout,omitempty"`       // WithReadIdleTimeout
	WriteIdleTimeout      *time.Duration `json:"write_idle_timeout,omitempty"`      // WithWriteIdleTimeout
	MaxHeaderBytes        *int           `json:"max_header_bytes,omitempty"`        // WithMaxHeaderBytes
	MaxURIBytes           *int           `json:"max_uri_bytes,omitempty"`           // WithMaxURIBytes
	MaxBodyBytes          *int64         `json:"max_body_bytes,omitempty"`          // WithMaxBodyBytes; -1 is no limit
	ShutdownTimeout       *time.Duration `json:"shutdown_timeout,omitempty"`        // WithShutdownTimeout
	TLSCertFile           string         `json:"tls_cert_file,omitempty"`           // WithTLSFiles, with TLSKeyFile
	TLSKeyFile            string         `json:"tls_key_file,omitempty"`            // WithTLSFiles, with TLSCertFile
	H2C                   *bool          `json:"h2c,omitempty"`                     // WithH2C
	TrustedProxies        []string       `json:"trusted_proxies,omitempty"`         // WithTrustedProxies
	RedirectTrailingSlash *bool          `json:"redirect_trailing_slash,omitempty"` // WithRedirectTrailingSlash
	UntypedJSON           *bool          `json:"untyped_json,omitempty"`            // WithUntypedJSON
}

// ConfigError reports an invalid configuration value, or an unknown key,
// naming the key and, when the value came from one, the environment
// variable.
type ConfigError struct {
	Key string // JSON key, such as "max_body_bytes"
	Env string // environment variable, such as "HYPERLANE_MAX_BODY_BYTES", or ""
	Err error
}

// Error names the variable and the key, then the problem.
func (e *ConfigError) Error() string {
	if e.Env != "" {
		return fmt.Sprintf("hyperlane: %s (config key %q): %v", e.Env, e.Key, e.Err)
	}
	return fmt.Sprintf("hyperlane: config key %q: %v", e.Key, e.Err)
}

// Unwrap returns the problem.
func (e *ConfigError) Unwrap() error { return e.Err }

// errUnknownKey is the cause of a ConfigError for a key Config lacks.
var errUnknownKey = errors.New("unknown key")

// LoadConfig reads a JSON configuration file; see ParseConfig.
func LoadConfig(path string) (Config, error) {
	data, err := os.ReadFile(path) // #nosec G304 -- the path is the operator's choice of config file, not request input
	if err != nil {
		return Config{}, fmt.Errorf("hyperlane: reading config: %w", err)
	}
	c, err := ParseConfig(data)
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// ParseConfig decodes a JSON configuration object. Unknown keys and
// invalid values are errors naming the key (all of them, joined). It does
// not read the environment; call ApplyEnv for that.
func ParseConfig(data []byte) (Config, error) {
	var c Config
	if err := json.Unmarshal(data, &c); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return Config{}, fmt.Errorf("hyperlane: config is not valid JSON (offset %d): %w", syn.Offset, err)
		}
		return Config{}, err
	}
	return c, nil
}

// ConfigFromEnv returns the configuration given by HYPERLANE_*
// environment variables alone.
func ConfigFromEnv() (Config, error) {
	var c Config
	err := c.ApplyEnv()
	return c, err
}

// ApplyEnv overrides c with every HYPERLANE_<KEY> environment variable
// that is set and not empty. On error c is left unchanged; the error
// names the variable. Variables with the prefix that name no key are
// ignored, since applications may use the prefix for their own settings.
func (c *Config) ApplyEnv() error {
	next := *c
	fromEnv := make(map[string]string)
	var errs []error
	for _, f := range configFields() {
		name := EnvVar(f.key)
		v, ok := os.LookupEnv(name)
		if !ok || v == "" {
			continue
		}
		fromEnv[f.key] = name
		if err := parseEnvValue(next.field(f), v); err != nil {
			errs = append(errs, &ConfigError{Key: f.key, Env: name, Err: err})
		}
	}
	if len(errs) == 0 {
		for _, e := range next.validate() {
			e.Env = fromEnv[e.Key]
			errs = append(errs, e)
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	*c = next
	return nil
}

// EnvVar returns the environment variable that overrides a config key:
// "max_body_bytes" is HYPERLANE_MAX_BODY_BYTES.
func EnvVar(key string) string { return "HYPERLANE_" + strings.ToUpper(key) }

// Validate reports every invalid value of c, naming its key.
func (c Config) Validate() error {
	errs := c.validate()
	if len(errs) == 0 {
		return nil
	}
	out := make([]error, len(errs))
	for i, e := range errs {
		out[i] = e
	}
	return errors.Join(out...)
}

// UnmarshalJSON decodes a JSON object onto c, so a Config can also be a
// field of an application's own configuration struct. Keys absent from
// data keep their value; null unsets a key. On error c is unchanged.
func (c *Config) UnmarshalJSON(data []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		var typ *json.UnmarshalTypeError
		if errors.As(err, &typ) {
			return fmt.Errorf("hyperlane: config must be a JSON object, not %s", typ.Value)
		}
		return err
	}
	next := *c
	var errs []error
	for _, key := range slices.Sorted(maps.Keys(raw)) {
		f, ok := configField(key)
		if !ok {
			errs = append(errs, &ConfigError{Key: key, Err: errUnknownKey})
			continue
		}
		if err := decodeJSONValue(next.field(f), raw[key]); err != nil {
			errs = append(errs, &ConfigError{Key: key, Err: err})
		}
	}
	if len(errs) == 0 {
		if err := next.Validate(); err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	*c = next
	return nil
}

// MarshalJSON encodes the keys that are set, durations as strings, in
// the order of the struct; ParseConfig reads the result back.
func (c Config) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for _, f := range configFields() {
		v := reflect.ValueOf(&c).Elem().Field(f.index)
		if v.IsZero() {
			continue
		}
		val := v.Interface()
		if d, ok := val.(*time.Duration); ok {
			val = d.String()
		}
		enc, err := json.Marshal(val)
		if err != nil {
			return nil, err
		}
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%q:%s", f.key, enc)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// WithConfig applies every key set in c, in the place of the matching
// With* options; keys not set keep the defaults or earlier options. It
// panics if c is invalid (see Validate): configs from ParseConfig,
// LoadConfig and ApplyEnv have been validated already.
func WithConfig(c Config) Option {
	if err := c.Validate(); err != nil {
		panic("hyperlane: WithConfig: " + err.Error())
	}
	var proxies []Option
	if c.TrustedProxies != nil {
		proxies = append(proxies, WithTrustedProxies(c.TrustedProxies...))
	}
	return func(s *settings) {
		if c.Addr != "" {
			s.addr = c.Addr
		}
		set(&s.noDelay, c.TCPNoDelay)
		set(&s.linger, c.LingerSeconds)
		set(&s.ttl, c.TTL)
		set(&s.readBuffer, c.ReadBuffer)
		set(&s.writeBuffer, c.WriteBuffer)
		set(&s.keepAlive, c.KeepAlive)
		set(&s.reusePort, c.ReusePort)
		set(&s.maxConns, c.MaxConns)
		set(&s.readHeaderTimeout, c.ReadHeaderTimeout)
		set(&s.idleTimeout, c.IdleTimeout)
		set(&s.readIdleTimeout, c.ReadIdleTimeout)
		set(&s.writeIdleTimeout, c.WriteIdleTimeout)
		set(&s.maxHeaderBytes, c.MaxHeaderBytes)
		set(&s.maxURIBytes, c.MaxURIBytes)
		set(&s.maxBodyBytes, c.MaxBodyBytes)
		set(&s.shutdownTimeout, c.ShutdownTimeout)
		if c.TLSCertFile != "" {
			s.tlsCertFile, s.tlsKeyFile = c.TLSCertFile, c.TLSKeyFile
		}
		set(&s.h2c, c.H2C)
		for _, o := range proxies {
			o(s)
		}
		set(&s.redirectTrailingSlash, c.RedirectTrailingSlash)
		set(&s.untypedJSON, c.UntypedJSON)
	}
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// validate checks the values that are set; each error names its key.
func (c *Config) validate() []*ConfigError {
	var errs []*ConfigError
	fail := func(key, format string, args ...any) {
		errs = append(errs, &ConfigError{Key: key, Err: fmt.Errorf(format, args...)})
	}
	if c.Addr != "" {
		if _, _, err := net.SplitHostPort(c.Addr); err != nil {
			fail("addr", "%q is not a host:port address: %w", c.Addr, err)
		}
	}
	if c.LingerSeconds != nil && *c.LingerSeconds < -1 {
		fail("linger_seconds", "must be -1 (off) or at least 0, got %d", *c.LingerSeconds)
	}
	if c.TTL != nil && (*c.TTL < 0 || *c.TTL > 255) {
		fail("ttl", "must be between 0 and 255, got %d", *c.TTL)
	}
	for _, n := range []struct {
		key string
		v   *int
	}{
		{"read_buffer", c.ReadBuffer}, {"write_buffer", c.WriteBuffer},
		{"max_conns", c.MaxConns}, {"max_header_bytes", c.MaxHeaderBytes},
		{"max_uri_bytes", c.MaxURIBytes},
	} {
		if n.v != nil && *n.v < 0 {
			fail(n.key, "must not be negative, got %d", *n.v)
		}
	}
	if c.MaxBodyBytes != nil && *c.MaxBodyBytes < -1 {
		fail("max_body_bytes", "must be -1 (no limit) or at least 0, got %d", *c.MaxBodyBytes)
	}
	for _, d := range []struct {
		key string
		v   *time.Duration
	}{
		{"keep_alive", c.KeepAlive}, {"read_header_timeout", c.ReadHeaderTimeout},
		{"idle_timeout", c.IdleTimeout}, {"read_idle_timeout", c.ReadIdleTimeout},
		{"write_idle_timeout", c.WriteIdleTimeout}, {"shutdown_timeout", c.ShutdownTimeout},
	} {
		if d.v != nil && *d.v < 0 {
			fail(d.key, "must not be negative, got %s", *d.v)
		}
	}
	switch {
	case c.TLSCertFile != "" && c.TLSKeyFile == "":
		fail("tls_key_file", "missing: tls_cert_file is set")
	case c.TLSKeyFile != "" && c.TLSCertFile == "":
		fail("tls_cert_file", "missing: tls_key_file is set")
	}
	for i, p := range c.TrustedProxies {
		if _, err := parsePrefix(p); err != nil {
			fail("trusted_proxies", "entry %d: %q is not a CIDR or IP address", i, p)
		}
	}
	return errs
}

// fieldInfo ties a JSON key to its Config field.
type fieldInfo struct {
	key   string
	index int
}

// configFields lists Config's keys in struct order, read from the json
// tags so that keys, environment variables and docs cannot drift apart.
var configFields = sync.OnceValue(func() []fieldInfo {
	t := reflect.TypeFor[Config]()
	fs := make([]fieldInfo, t.NumField())
	for i := range fs {
		key, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		fs[i] = fieldInfo{key: key, index: i}
	}
	return fs
})

func configField(key string) (fieldInfo, bool) {
	for _, f := range configFields() {
		if f.key == key {
			return f, true
		}
	}
	return fieldInfo{}, false
}

// field returns a pointer to the field f of c: a *string, **bool, **int,
// **int64, **time.Duration or *[]string.
func (c *Config) field(f fieldInfo) any {
	return reflect.ValueOf(c).Elem().Field(f.index).Addr().Interface()
}

func decodeJSONValue(ptr any, raw json.RawMessage) error {
	if string(bytes.TrimSpace(raw)) == "null" {
		reflect.ValueOf(ptr).Elem().SetZero()
		return nil
	}
	switch p := ptr.(type) {
	case *string:
		return decodeJSON(raw, p, "a string")
	case **bool:
		return decodeJSONPtr(raw, p, "true or false")
	case **int:
		return decodeJSONPtr(raw, p, "an integer")
	case **int64:
		return decodeJSONPtr(raw, p, "an integer")
	case **time.Duration:
		var s string
		if err := decodeJSON(raw, &s, `a duration string such as "10s"`); err != nil {
			return err
		}
		return parseInto(p, s, parseDuration)
	case *[]string:
		return decodeJSON(raw, p, "a list of strings")
	}
	panic(fmt.Sprintf("hyperlane: config field of unexpected type %T", ptr))
}

func decodeJSON[T any](raw json.RawMessage, dst *T, want string) error {
	if err := json.Unmarshal(raw, dst); err != nil {
		got := string(raw)
		if len(got) > 40 {
			got = got[:40] + "..."
		}
		return fmt.Errorf("want %s, got %s", want, got)
	}
	return nil
}

func decodeJSONPtr[T any](raw json.RawMessage, dst **T, want string) error {
	v := new(T)
	if err := decodeJSON(raw, v, want); err != nil {
		return err
	}
	*dst = v
	return nil
}

func parseEnvValue(ptr any, s string) error {
	switch p := ptr.(type) {
	case *string:
		*p = s
		return nil
	case **bool:
		return parseInto(p, s, func(s string) (bool, error) {
			b, err := strconv.ParseBool(s)
			if err != nil {
				return false, fmt.Errorf("invalid boolean %q, want true or false", s)
			}
			return b, nil
		})
	case **int:
		return parseInto(p, s, func(s string) (int, error) {
			n, err := strconv.Atoi(s)
			if err != nil {
				return 0, fmt.Errorf("invalid integer %q", s)
			}
			return n, nil
		})
	case **int64:
		return parseInto(p, s, func(s string) (int64, error) {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return 0, fmt.Errorf("invalid integer %q", s)
			}
			return n, nil
		})
	case **time.Duration:
		return parseInto(p, s, parseDuration)
	case *[]string:
		*p = nil
		for item := range strings.SplitSeq(s, ",") {
			if item = strings.TrimSpace(item); item != "" {
				*p = append(*p, item)
			}
		}
		return nil
	}
	panic(fmt.Sprintf("hyperlane: config field of unexpected type %T", ptr))
}

func parseInto[T any](dst **T, s string, parse func(string) (T, error)) error {
	v, err := parse(s)
	if err != nil {
		return err
	}
	*dst = &v
	return nil
}

func parseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("invalid duration %q, want a Go duration such as \"10s\" or \"1m30s\"", s)
	}
	return d, nil
}

package hyperlane

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// configKeyCases gives, for every config key, a JSON value, the same value
// as an environment variable, the Config it decodes to, and the option
// that Config must be equivalent to.
var configKeyCases = []struct {
	key    string
	json   string
	env    string
	want   Config
	option Option
}{
	{"addr", `"127.0.0.1:8080"`, "127.0.0.1:8080", Config{Addr: "127.0.0.1:8080"}, WithAddr("127.0.0.1:8080")},
	{"tcp_nodelay", `false`, "false", Config{TCPNoDelay: new(false)}, WithNoDelay(false)},
	{"linger_seconds", `5`, "5", Config{LingerSeconds: new(5)}, WithLinger(5)},
	{"ttl", `64`, "64", Config{TTL: new(64)}, WithTTL(64)},
	{"read_buffer", `65536`, "65536", Config{ReadBuffer: new(65536)}, WithBufferSizes(65536, 0)},
	{"write_buffer", `131072`, "131072", Config{WriteBuffer: new(131072)}, WithBufferSizes(0, 131072)},
	{"keep_alive", `"30s"`, "30s", Config{KeepAlive: new(30 * time.Second)}, WithKeepAlive(30 * time.Second)},
	{"reuse_port", `true`, "true", Config{ReusePort: new(true)}, WithReusePort(true)},
	{"max_conns", `512`, "512", Config{MaxConns: new(512)}, WithMaxConns(512)},
	{"read_header_timeout", `"5s"`, "5s", Config{ReadHeaderTimeout: new(5 * time.Second)}, WithReadHeaderTimeout(5 * time.Second)},
	{"idle_timeout", `"1m30s"`, "1m30s", Config{IdleTimeout: new(90 * time.Second)}, WithIdleTimeout(90 * time.Second)},
	{"read_idle_timeout", `"2s"`, "2s", Config{ReadIdleTimeout: new(2 * time.Second)}, WithReadIdleTimeout(2 * time.Second)},
	{"write_idle_timeout", `"0s"`, "0s", Config{WriteIdleTimeout: new(time.Duration(0))}, WithWriteIdleTimeout(0)},
	{"max_header_bytes", `16384`, "16384", Config{MaxHeaderBytes: new(16384)}, WithMaxHeaderBytes(16384)},
	{"max_uri_bytes", `4096`, "4096", Config{MaxURIBytes: new(4096)}, WithMaxURIBytes(4096)},
	{"max_body_bytes", `1048576`, "1048576", Config{MaxBodyBytes: new(int64(1 << 20))}, WithMaxBodyBytes(1 << 20)},
	{"shutdown_timeout", `"20s"`, "20s", Config{ShutdownTimeout: new(20 * time.Second)}, WithShutdownTimeout(20 * time.Second)},
	{"tls_cert_file", `"c.pem"`, "c.pem", Config{TLSCertFile: "c.pem", TLSKeyFile: "k.pem"}, WithTLSFiles("c.pem", "k.pem")},
	{"tls_key_file", `"k.pem"`, "k.pem", Config{TLSCertFile: "c.pem", TLSKeyFile: "k.pem"}, WithTLSFiles("c.pem", "k.pem")},
	{"h2c", `true`, "true", Config{H2C: new(true)}, WithH2C(true)},
	{"trusted_proxies", `["10.0.0.0/8", "192.168.1.1"]`, "10.0.0.0/8, 192.168.1.1", Config{TrustedProxies: []string{"10.0.0.0/8", "192.168.1.1"}}, WithTrustedProxies("10.0.0.0/8", "192.168.1.1")},
	{"redirect_trailing_slash", `true`, "1", Config{RedirectTrailingSlash: new(true)}, WithRedirectTrailingSlash(true)},
	{"untyped_json", `true`, "true", Config{UntypedJSON: new(true)}, WithUntypedJSON(true)},
}

// tlsPair completes a case for one of the two TLS keys, which are only
// valid together.
func tlsPair(key, json string) string {
	switch key {
	case "tls_cert_file":
		return `{"tls_cert_file": ` + json + `, "tls_key_file": "k.pem"}`
	case "tls_key_file":
		return `{"tls_cert_file": "c.pem", "tls_key_file": ` + json + `}`
	}
	return `{"` + key + `": ` + json + `}`
}

// isolateEnv blanks every HYPERLANE_<KEY> variable for the test (an empty
// variable is ignored), so that the caller's environment, such as the
// HYPERLANE_ADDR that make exports, does not leak into the results.
func isolateEnv(t *testing.T) {
	t.Helper()
	for _, f := range configFields() {
		t.Setenv(EnvVar(f.key), "")
	}
}

func TestConfigCasesCoverEveryKey(t *testing.T) {
	covered := map[string]bool{}
	for _, tc := range configKeyCases {
		covered[tc.key] = true
	}
	for _, f := range configFields() {
		if !covered[f.key] {
			t.Errorf("config key %q has no test case", f.key)
		}
	}
	if got, want := len(configFields()), reflect.TypeFor[Config]().NumField(); got != want {
		t.Errorf("%d keys for %d fields", got, want)
	}
}

func TestParseConfigReadsEveryKey(t *testing.T) {
	for _, tc := range configKeyCases {
		t.Run(tc.key, func(t *testing.T) {
			got, err := ParseConfig([]byte(tlsPair(tc.key, tc.json)))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %s, want %s", mustJSON(t, got), mustJSON(t, tc.want))
			}
		})
	}
}

func TestApplyEnvReadsEveryKey(t *testing.T) {
	for _, tc := range configKeyCases {
		t.Run(EnvVar(tc.key), func(t *testing.T) {
			isolateEnv(t)
			t.Setenv(EnvVar(tc.key), tc.env)
			switch tc.key { // the TLS keys are only valid as a pair
			case "tls_cert_file":
				t.Setenv("HYPERLANE_TLS_KEY_FILE", "k.pem")
			case "tls_key_file":
				t.Setenv("HYPERLANE_TLS_CERT_FILE", "c.pem")
			}
			got, err := ConfigFromEnv()
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %s, want %s", mustJSON(t, got), mustJSON(t, tc.want))
			}
		})
	}
}

func TestWithConfigEqualsTheMatchingOption(t *testing.T) {
	for _, tc := range configKeyCases {
		t.Run(tc.key, func(t *testing.T) {
			got, want := New(WithConfig(tc.want)).settings, New(tc.option).settings
			if !reflect.DeepEqual(got, want) {
				t.Errorf("WithConfig settings\n%+v\nwant\n%+v", got, want)
			}
			if reflect.DeepEqual(got, defaultSettings()) {
				t.Errorf("the case changes nothing: pick a value other than the default")
			}
		})
	}
}

func TestConfigLayers(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T) settings
		want func(s *settings)
	}{
		{
			name: "an empty config keeps every default",
			run:  func(t *testing.T) settings { return New(WithConfig(Config{})).settings },
			want: func(s *settings) {},
		},
		{
			name: "keys absent from the config keep earlier options",
			run: func(t *testing.T) settings {
				return New(WithAddr("127.0.0.1:1"), WithMaxConns(3), WithConfig(Config{MaxConns: new(7)})).settings
			},
			want: func(s *settings) { s.addr, s.maxConns = "127.0.0.1:1", 7 },
		},
		{
			name: "environment variables override the file",
			run: func(t *testing.T) settings {
				t.Setenv("HYPERLANE_MAX_BODY_BYTES", "2048")
				c, err := ParseConfig([]byte(`{"addr": ":7000", "max_body_bytes": 1024}`))
				if err != nil {
					t.Fatal(err)
				}
				if err := c.ApplyEnv(); err != nil {
					t.Fatal(err)
				}
				return New(WithConfig(c)).settings
			},
			want: func(s *settings) { s.addr, s.maxBodyBytes = ":7000", 2048 },
		},
		{
			name: "an empty environment variable is ignored",
			run: func(t *testing.T) settings {
				t.Setenv("HYPERLANE_ADDR", "")
				c := Config{Addr: ":7001"}
				if err := c.ApplyEnv(); err != nil {
					t.Fatal(err)
				}
				return New(WithConfig(c)).settings
			},
			want: func(s *settings) { s.addr = ":7001" },
		},
		{
			name: "null unsets a key",
			run: func(t *testing.T) settings {
				c := Config{MaxConns: new(9)}
				if err := json.Unmarshal([]byte(`{"max_conns": null}`), &c); err != nil {
					t.Fatal(err)
				}
				return New(WithConfig(c)).settings
			},
			want: func(s *settings) {},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolateEnv(t)
			want := defaultSettings()
			tt.want(&want)
			if got := tt.run(t); !reflect.DeepEqual(got, want) {
				t.Errorf("settings\n%+v\nwant\n%+v", got, want)
			}
		})
	}
}

func TestParseConfigErrorsNameTheKey(t *testing.T) {
	tests := []struct {
		name    string
		json    string
		wantKey string // "" when the error is about the whole document
		wantMsg string
	}{
		{"unknown key", `{"adr": ":80"}`, "adr", "unknown key"},
		{"every unknown key is named", `{"a": 1, "b": 2}`, "a", `config key "b": unknown key`},
		{"addr without a port", `{"addr": "localhost"}`, "addr", "not a host:port address"},
		{"addr of the wrong type", `{"addr": 80}`, "addr", "want a string, got 80"},
		{"bool given as a string", `{"tcp_nodelay": "yes"}`, "tcp_nodelay", `want true or false, got "yes"`},
		{"bool given as a number", `{"h2c": 1}`, "h2c", "want true or false, got 1"},
		{"reuse_port not a bool", `{"reuse_port": "on"}`, "reuse_port", "want true or false"},
		{"redirect_trailing_slash not a bool", `{"redirect_trailing_slash": []}`, "redirect_trailing_slash", "want true or false"},
		{"linger below -1", `{"linger_seconds": -2}`, "linger_seconds", "must be -1 (off) or at least 0, got -2"},
		{"ttl above 255", `{"ttl": 256}`, "ttl", "between 0 and 255, got 256"},
		{"negative ttl", `{"ttl": -1}`, "ttl", "between 0 and 255"},
		{"fractional size", `{"read_buffer": 1.5}`, "read_buffer", "want an integer, got 1.5"},
		{"size as a string", `{"max_body_bytes": "8MiB"}`, "max_body_bytes", `want an integer, got "8MiB"`},
		{"negative read buffer", `{"read_buffer": -1}`, "read_buffer", "must not be negative, got -1"},
		{"negative write buffer", `{"write_buffer": -1}`, "write_buffer", "must not be negative"},
		{"negative max conns", `{"max_conns": -5}`, "max_conns", "must not be negative, got -5"},
		{"negative max header bytes", `{"max_header_bytes": -1}`, "max_header_bytes", "must not be negative"},
		{"negative max uri bytes", `{"max_uri_bytes": -1}`, "max_uri_bytes", "must not be negative"},
		{"max body bytes below -1", `{"max_body_bytes": -2}`, "max_body_bytes", "must be -1 (no limit) or at least 0"},
		{"duration without a unit", `{"read_header_timeout": "10"}`, "read_header_timeout", `invalid duration "10"`},
		{"duration as a number", `{"idle_timeout": 10}`, "idle_timeout", `want a duration string such as "10s", got 10`},
		{"garbage duration", `{"keep_alive": "soon"}`, "keep_alive", `invalid duration "soon"`},
		{"negative read idle", `{"read_idle_timeout": "-1s"}`, "read_idle_timeout", "must not be negative, got -1s"},
		{"negative write idle", `{"write_idle_timeout": "-1s"}`, "write_idle_timeout", "must not be negative"},
		{"negative shutdown timeout", `{"shutdown_timeout": "-5s"}`, "shutdown_timeout", "must not be negative"},
		{"negative keep-alive", `{"keep_alive": "-1s"}`, "keep_alive", "must not be negative"},
		{"certificate without key", `{"tls_cert_file": "c.pem"}`, "tls_key_file", "missing: tls_cert_file is set"},
		{"key without certificate", `{"tls_key_file": "k.pem"}`, "tls_cert_file", "missing: tls_key_file is set"},
		{"bad CIDR", `{"trusted_proxies": ["10.0.0.0/8", "10.0.0.0/33"]}`, "trusted_proxies", `entry 1: "10.0.0.0/33" is not a CIDR or IP address`},
		{"proxies not a list", `{"trusted_proxies": "10.0.0.0/8"}`, "trusted_proxies", "want a list of strings"},
		{"not an object", `[1, 2]`, "", "config must be a JSON object, not array"},
		{"malformed JSON", `{"addr": ":80",}`, "", "config is not valid JSON (offset 16)"},
		{"data after the object", `{} {}`, "", "config is not valid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseConfig([]byte(tt.json))
			if err == nil {
				t.Fatalf("no error; config %s", mustJSON(t, c))
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not say %q", err, tt.wantMsg)
			}
			var ce *ConfigError
			switch {
			case tt.wantKey == "" && errors.As(err, &ce):
				t.Errorf("error names key %q, want none", ce.Key)
			case tt.wantKey != "" && !errors.As(err, &ce):
				t.Errorf("error %q is not a *ConfigError", err)
			case tt.wantKey != "" && ce.Key != tt.wantKey:
				t.Errorf("error names key %q, want %q", ce.Key, tt.wantKey)
			}
			if tt.wantKey != "" && !strings.Contains(err.Error(), `config key "`+tt.wantKey+`"`) {
				t.Errorf("error %q does not name key %q", err, tt.wantKey)
			}
		})
	}
}

func TestApplyEnvErrorsNameTheVariable(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		wantVar string
		wantMsg string
	}{
		{"bad bool", map[string]string{"HYPERLANE_H2C": "yes"}, "HYPERLANE_H2C", `invalid boolean "yes", want true or false`},
		{"bad integer", map[string]string{"HYPERLANE_MAX_CONNS": "many"}, "HYPERLANE_MAX_CONNS", `invalid integer "many"`},
		{"bad 64-bit integer", map[string]string{"HYPERLANE_MAX_BODY_BYTES": "1MiB"}, "HYPERLANE_MAX_BODY_BYTES", `invalid integer "1MiB"`},
		{"bad duration", map[string]string{"HYPERLANE_READ_HEADER_TIMEOUT": "10"}, "HYPERLANE_READ_HEADER_TIMEOUT", `invalid duration "10"`},
		{"negative size", map[string]string{"HYPERLANE_MAX_BODY_BYTES": "-7"}, "HYPERLANE_MAX_BODY_BYTES", "must be -1 (no limit) or at least 0, got -7"},
		{"negative buffer", map[string]string{"HYPERLANE_READ_BUFFER": "-1"}, "HYPERLANE_READ_BUFFER", "must not be negative"},
		{"negative duration", map[string]string{"HYPERLANE_IDLE_TIMEOUT": "-1m"}, "HYPERLANE_IDLE_TIMEOUT", "must not be negative"},
		{"ttl out of range", map[string]string{"HYPERLANE_TTL": "300"}, "HYPERLANE_TTL", "between 0 and 255"},
		{"bad CIDR", map[string]string{"HYPERLANE_TRUSTED_PROXIES": "10.0.0.0/8,not-an-ip"}, "HYPERLANE_TRUSTED_PROXIES", `entry 1: "not-an-ip"`},
		{"bad addr", map[string]string{"HYPERLANE_ADDR": "60000"}, "HYPERLANE_ADDR", "not a host:port address"},
		{"lone TLS key", map[string]string{"HYPERLANE_TLS_KEY_FILE": "k.pem"}, "", `config key "tls_cert_file": missing`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolateEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			c := Config{Addr: ":1"}
			err := c.ApplyEnv()
			if err == nil {
				t.Fatalf("no error; config %s", mustJSON(t, c))
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not say %q", err, tt.wantMsg)
			}
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Env != tt.wantVar {
				t.Errorf("error %q: want a *ConfigError naming variable %q", err, tt.wantVar)
			}
			if tt.wantVar != "" && !strings.HasPrefix(err.Error(), "hyperlane: "+tt.wantVar+" (config key ") {
				t.Errorf("error %q does not start with the variable and key", err)
			}
			if !reflect.DeepEqual(c, Config{Addr: ":1"}) {
				t.Errorf("a failed ApplyEnv changed the config to %s", mustJSON(t, c))
			}
		})
	}
}

func TestConfigMarshalRoundTrips(t *testing.T) {
	var all Config
	for _, tc := range configKeyCases {
		if err := json.Unmarshal([]byte(tlsPair(tc.key, tc.json)), &all); err != nil {
			t.Fatalf("%s: %v", tc.key, err)
		}
	}
	data, err := json.Marshal(all)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"read_header_timeout":"5s"`) {
		t.Errorf("durations are not written as strings: %s", data)
	}
	back, err := ParseConfig(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, all) {
		t.Errorf("round trip changed the config:\n%s\n%s", data, mustJSON(t, back))
	}
}

func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(good, []byte(`{"addr": "127.0.0.1:9000", "max_conns": 10}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte(`{"max_conns": -1}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		path    string
		want    Config
		wantErr string
	}{
		{name: "reads a file", path: good, want: Config{Addr: "127.0.0.1:9000", MaxConns: new(10)}},
		{name: "an invalid file names the file and the key", path: bad, wantErr: bad + `: hyperlane: config key "max_conns": must not be negative`},
		{name: "a missing file is an error", path: filepath.Join(dir, "none.json"), wantErr: "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LoadConfig(tt.path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %s, want %s", mustJSON(t, got), mustJSON(t, tt.want))
			}
		})
	}
}

func TestConfigEmbedsInAnApplicationConfig(t *testing.T) {
	var app struct {
		Name   string `json:"name"`
		Server Config `json:"server"`
	}
	if err := json.Unmarshal([]byte(`{"name": "pets", "server": {"addr": ":8080"}}`), &app); err != nil {
		t.Fatal(err)
	}
	if app.Server.Addr != ":8080" {
		t.Errorf("addr = %q", app.Server.Addr)
	}
	err := json.Unmarshal([]byte(`{"server": {"max_conns": "ten"}}`), &app)
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.Key != "max_conns" {
		t.Errorf("error %v does not name max_conns", err)
	}
}

func TestWithConfigPanicsOnAnInvalidConfig(t *testing.T) {
	defer func() {
		msg := fmt.Sprint(recover())
		if !strings.Contains(msg, `config key "ttl"`) {
			t.Errorf("panic %q does not name the key", msg)
		}
	}()
	WithConfig(Config{TTL: new(1000)})
}

func mustJSON(t *testing.T, c Config) string {
	t.Helper()
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func ExampleParseConfig() {
	cfg, err := ParseConfig([]byte(`{
		"addr": "127.0.0.1:8080",
		"shutdown_timeout": "20s",
		"max_body_bytes": 1048576,
		"trusted_proxies": ["10.0.0.0/8"]
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	s := New(WithConfig(cfg))
	fmt.Println(s.ShutdownTimeout())

	_, err = ParseConfig([]byte(`{"adr": ":80"}`))
	fmt.Println(err)
	// Output:
	// 20s
	// hyperlane: config key "adr": unknown key
}

func ExampleEnvVar() {
	fmt.Println(EnvVar("max_body_bytes"))
	// Output: HYPERLANE_MAX_BODY_BYTES
}

// The default address is loopback, as cli's is: a first run of a plain
// hyperlane.New app is not exposed to the network.
func TestDefaultAddrIsLoopback(t *testing.T) {
	host, port, err := net.SplitHostPort(New().settings.addr)
	if err != nil {
		t.Fatal(err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() || port != "60000" {
		t.Fatalf("default address %q, want a loopback host on port 60000", net.JoinHostPort(host, port))
	}
}

package hyperlane

import "errors"

// FromEnv applies the HYPERLANE_<KEY> environment variables of Config
// (HYPERLANE_ADDR, HYPERLANE_MAX_BODY_BYTES, ...; see docs/server.md) in
// its place among the options: options before it are overridden by a
// variable that is set, options after it override the variables. It
// reads the environment when it is called, through ConfigFromEnv and
// WithConfig, the same path package cli takes.
//
// An option cannot fail, so an invalid variable is kept by New and
// returned by Listen, Serve, Run and RunListener before anything is
// bound or served: a *ConfigError naming the variable, such as
//
//	hyperlane: HYPERLANE_ADDR (config key "addr"): "8080" is not a host:port address: ...
//
// A server built with it and used only as an http.Handler does not report
// the error; read the variables with ConfigFromEnv there instead.
func FromEnv() Option {
	cfg, err := ConfigFromEnv()
	if err != nil {
		return func(s *settings) { s.configErr = errors.Join(s.configErr, err) }
	}
	return WithConfig(cfg)
}

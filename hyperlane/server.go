package hyperlane

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Server is a Hyperlane application: routes, middleware and the settings
// of the net/http server that runs them. It is an http.Handler, so it can
// also be mounted into any other Go server. Register routes and
// middleware before serving; registration is not safe concurrently with
// requests.
type Server struct {
	// RootGroup is the server's root group, embedded so that every Group
	// method (Get, Post, Route, Any, Group, Mount, WebSocket, Static,
	// Handler, RequestMiddleware, ...) is a Server method too and
	// registers on the whole server. Its middleware also runs for the
	// server's own 404, 405 and automatic OPTIONS answers.
	*RootGroup

	settings settings
	log      *slog.Logger
	router   router

	wrappers     []func(http.Handler) http.Handler
	wrapped      http.Handler // serve wrapped by wrappers, nil without any
	errorHandler func(*Context, error)
	panicHook    func(*Context, any)
	missing      Handler // 404, 405 and automatic OPTIONS
	commands     []Command
	observers    []Observer // nil without any: the hot path checks only that

	mu        sync.Mutex
	http      *http.Server
	addr      net.Addr
	stopped   bool          // Shutdown was called; Serve refuses to start
	serving   chan struct{} // closed when Serve has bound and accepts
	closing   chan struct{} // closed when Shutdown starts
	drained   chan struct{} // closed when the first Shutdown returns
	onClose   []func()
	shutOnce  sync.Once
	drainOnce sync.Once
	rt        realtime    // WebSocket connections and event streams, for Shutdown
	draining  atomic.Bool // Drain began: responses say Connection: close
	listener  *pausableListener
	clock     coarseClock // ticks while serving, for renewFinalWriteDeadline
	conns     connCounter // connections open and waiting, for Stats

	contexts       sync.Pool                     // *contextState, each made for this server
	contextMisused atomic.Bool                   // a released Context was used: logged once
	mountWarned    [numMountWarnings]atomic.Bool // each mount warning is logged once
	guessed        guessedPrefixes               // mount prefixes found by guessMount
}

// New returns a Server configured by opts on top of safe defaults.
func New(opts ...Option) *Server {
	s := &Server{settings: defaultSettings(), router: newRouter(),
		serving: make(chan struct{}), closing: make(chan struct{}), drained: make(chan struct{})}
	for _, o := range opts {
		o(&s.settings)
	}
	s.log = s.settings.logger
	if s.log == nil {
		s.log = slog.Default()
	}
	s.contexts.New = func() any { return &contextState{server: s} }
	s.RootGroup = &Group{server: s}
	s.RootGroup.chain = []*Group{s.RootGroup}
	s.missing = s.routeMissing
	return s
}

// Logger returns the server's logger.
func (s *Server) Logger() *slog.Logger { return s.log }

// Use wraps the whole pipeline, routing included, in net/http middleware;
// the first added is the outermost. Any func(http.Handler) http.Handler
// works, chi's middleware package included.
func (s *Server) Use(mw ...func(http.Handler) http.Handler) {
	s.wrappers = append(s.wrappers, mw...)
	var h http.Handler = http.HandlerFunc(s.serve)
	for i := len(s.wrappers) - 1; i >= 0; i-- {
		h = s.wrappers[i](h)
	}
	s.wrapped = h
}

// ErrorHandler replaces DefaultErrorHandler, which turns handler errors
// into responses.
func (s *Server) ErrorHandler(fn func(c *Context, err error)) { s.errorHandler = fn }

// PanicHook is called with the recovered value when a handler or
// middleware panics, after the panic was logged with its stack and before
// the 500 response is written.
func (s *Server) PanicHook(fn func(c *Context, recovered any)) { s.panicHook = fn }

// ServeHTTP implements http.Handler. Mounted in another server, the app
// works out the path prefix it is served under, with no call needed, and
// keeps it in redirects, problem instances and the OpenAPI documents
// (MountPrefix): what http.StripPrefix, adapter.Mount or Group.Mount
// removed from the path (the request target, r.RequestURI, still has it);
// the path left by chi's Mount and Route (chi's route context), which the
// app then routes on; and, outermost, the X-Forwarded-Prefix of a proxy
// listed by WithTrustedProxies, when it is one clean path. Under a handler
// that passes the whole path and says nothing (gin's WrapH, echo's
// WrapHandler), a request that no route matches is routed below its first
// few segments, and the prefix found is logged once with how to state it
// (http.StripPrefix). That search never runs when the app is its
// http.Server's own handler. docs/adapter.md has the table.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.wrapped != nil {
		s.wrapped.ServeHTTP(w, r)
		return
	}
	s.serve(w, r)
}

// Listen opens the server's tuned TCP listener on its address: every
// socket option is set on it, and connections it accepts are tuned.
// Pass it to Serve or RunListener.
func (s *Server) Listen(ctx context.Context) (net.Listener, error) {
	if err := s.settings.configErr; err != nil {
		return nil, err
	}
	return listen(ctx, &s.settings)
}

// Run listens, serves, and shuts down gracefully when ctx is cancelled or
// the process receives SIGINT or SIGTERM: it stops accepting, keeps
// serving for half a second with "Connection: close" on every response
// so that keep-alive clients finish and leave, then lets in-flight
// requests finish within the shutdown timeout and closes what is left.
// It returns nil after a graceful shutdown, so a main that calls
// log.Fatal only on a non-nil error exits 0 on a signal; it returns the
// error of Shutdown when the grace period ran out, and that of Listen
// (an address in use, an invalid FromEnv variable). A second signal
// during the grace period ends the process at once, as it would without
// Run.
func (s *Server) Run(ctx context.Context) error {
	ln, err := s.Listen(ctx)
	if err != nil {
		return err
	}
	return s.RunListener(ctx, ln)
}

// RunListener is Run on a listener the caller opened, such as one
// inherited from a parent process.
func (s *Server) RunListener(ctx context.Context, ln net.Listener) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- s.Serve(ln) }()
	served := func(err error) error {
		if errors.Is(err, http.ErrServerClosed) {
			// Shutdown was called directly: return once it is done.
			<-s.drained
			return nil
		}
		return err
	}
	select {
	case err := <-errc:
		return served(err)
	case <-ctx.Done():
	}
	stop()
	err := s.Drain(context.WithoutCancel(ctx))
	if serr := <-errc; err == nil && serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		err = serr
	}
	return err
}

// Serve serves connections from ln until Shutdown. It returns
// http.ErrServerClosed after a shutdown, like net/http, also when
// Shutdown came first. ln is used as it is: open it with Listen for the
// socket options. WithMaxConns and TLS apply to any listener.
func (s *Server) Serve(ln net.Listener) error {
	srv, err := s.httpServer()
	if err != nil {
		_ = ln.Close()
		return err
	}
	pl := newPausableListener(ln)
	ln = pl
	if s.settings.maxConns > 0 {
		ln = limitListener(ln, s.settings.maxConns, &s.conns)
	}
	// net/http runs this after it closed its listeners, so ShuttingDown
	// and OnShutdown fire when no new connection can arrive.
	srv.RegisterOnShutdown(s.beginShutdown)
	s.mu.Lock()
	switch {
	case s.stopped:
		s.mu.Unlock()
		_ = ln.Close()
		return http.ErrServerClosed
	case s.http != nil:
		s.mu.Unlock()
		_ = ln.Close()
		return errors.New("hyperlane: Serve called twice")
	}
	s.http, s.addr, s.listener = srv, ln.Addr(), pl
	s.mu.Unlock()
	close(s.serving) // once: a second Serve was refused above
	defer s.clock.start()()
	s.log.Info("serving", "addr", ln.Addr().String(), "tls", srv.TLSConfig != nil)
	if srv.TLSConfig != nil {
		err = srv.ServeTLS(ln, "", "")
	} else {
		err = srv.Serve(ln)
	}
	// net/http leaves the listener open when it refuses to start (such as
	// a TLS configuration HTTP/2 cannot use); waiting clients must not hang.
	_ = ln.Close()
	return err
}

// httpServer builds the net/http server from the settings.
func (s *Server) httpServer() (*http.Server, error) {
	st := &s.settings
	if st.configErr != nil {
		return nil, st.configErr
	}
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: st.readHeaderTimeout,
		IdleTimeout:       st.idleTimeout,
		MaxHeaderBytes:    netHTTPHeaderBytes(st.maxHeaderBytes),
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		Protocols:         new(http.Protocols),
		ConnContext:       withConnDeadline,
		ConnState:         s.conns.track,
	}
	srv.Protocols.SetHTTP1(true)
	srv.Protocols.SetHTTP2(true)
	srv.Protocols.SetUnencryptedHTTP2(st.h2c)
	tlsCfg, err := st.tls()
	if err != nil {
		return nil, err
	}
	srv.TLSConfig = tlsCfg
	return srv, nil
}

// headerSlack is what net/http reads beyond http.Server.MaxHeaderBytes
// before it answers 431: room for its read buffer.
const headerSlack = 4096

// netHTTPHeaderBytes turns the configured limit on the request head into
// the value net/http adds headerSlack to, so that the limit is exact.
func netHTTPHeaderBytes(n int) int {
	if n <= 0 {
		return 0 // net/http's default
	}
	return max(n-headerSlack, 1)
}

// tls returns the TLS configuration, or nil for plain TCP.
func (st *settings) tls() (*tls.Config, error) {
	if st.tlsConfig == nil && st.tlsCertFile == "" {
		return nil, nil
	}
	cfg := st.tlsConfig
	if cfg == nil {
		cfg = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	cfg = cfg.Clone()
	if cfg.MinVersion == 0 {
		cfg.MinVersion = tls.VersionTLS12
	}
	if cfg.CipherSuites == nil && cfg.MinVersion < tls.VersionTLS13 {
		cfg.CipherSuites = defaultCipherSuites
	}
	if st.tlsCertFile != "" {
		cert, err := tls.LoadX509KeyPair(st.tlsCertFile, st.tlsKeyFile)
		if err != nil {
			return nil, fmt.Errorf("hyperlane: loading TLS certificate: %w", err)
		}
		cfg.Certificates = append(cfg.Certificates, cert)
	}
	return cfg, nil
}

// defaultCipherSuites are the TLS 1.2 suites allowed by default: AEAD
// with forward secrecy only, no CBC.
var defaultCipherSuites = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
}

// Addr returns the address the server is bound to once serving (with the
// real port when the address asked for port 0), or nil before.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// Serving returns a channel closed when Serve has its listener and
// accepts connections; Addr is set from then on. Code that runs the
// server in another goroutine (Run, RunListener, Serve) waits on it to
// learn the address or to report itself ready, instead of polling Addr.
// It is never closed when Serve refuses to start (after Shutdown, on an
// invalid configuration), so wait on it together with Serve's result.
func (s *Server) Serving() <-chan struct{} { return s.serving }

// ShuttingDown returns a channel closed when Shutdown starts, after the
// listener closed, so that long-lived streams (WebSocket, SSE) can end
// cleanly.
func (s *Server) ShuttingDown() <-chan struct{} { return s.closing }

// OnShutdown registers fn to run, in its own goroutine, when Shutdown
// starts, after the listener closed.
func (s *Server) OnShutdown(fn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onClose = append(s.onClose, fn)
}

// Shutdown stops accepting connections, closes idle ones, and waits for
// in-flight requests to finish or ctx to end, whichever comes first; then
// it closes what is left and returns ctx's error, wrapped. Streams are
// told through ShuttingDown and OnShutdown. A Server that was shut down
// does not serve again.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.stopped = true
	srv, ln := s.http, s.listener
	s.mu.Unlock()
	if ln != nil {
		// Refuse new clients before the OnShutdown hooks run, also when
		// Serve has published the server but net/http has not yet begun
		// to track the listener (its Shutdown would not close it).
		ln.pause()
	}
	defer s.drainOnce.Do(func() { close(s.drained) })
	if srv == nil {
		s.beginShutdown()
		return s.rt.drain(ctx)
	}
	err := srv.Shutdown(ctx)
	s.beginShutdown() // already run by net/http; this waits for it
	if derr := s.rt.drain(ctx); err == nil {
		err = derr // hijacked WebSocket connections, unseen by net/http
	}
	if err != nil {
		s.log.Warn("shutdown grace period over, closing remaining connections", "err", err)
		_ = srv.Close()
		return fmt.Errorf("hyperlane: shutdown: %w", err)
	}
	return nil
}

// beginShutdown closes ShuttingDown and starts the OnShutdown hooks, once.
func (s *Server) beginShutdown() {
	s.shutOnce.Do(func() {
		close(s.closing)
		s.mu.Lock()
		fns := append([]func(){}, s.onClose...)
		s.mu.Unlock()
		for _, fn := range fns {
			go fn()
		}
	})
}

// ShutdownTimeout returns the configured grace period.
func (s *Server) ShutdownTimeout() time.Duration { return s.settings.shutdownTimeout }

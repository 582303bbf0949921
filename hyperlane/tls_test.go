package hyperlane

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// testCert is a self-signed certificate for 127.0.0.1, written to files.
type testCert struct {
	cert              tls.Certificate
	pool              *x509.CertPool
	certFile, keyFile string
}

func newTestCert(t *testing.T) testCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "hyperlane test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	dir := t.TempDir()
	tc := testCert{pool: x509.NewCertPool(), certFile: filepath.Join(dir, "cert.pem"), keyFile: filepath.Join(dir, "key.pem")}
	if err := os.WriteFile(tc.certFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tc.keyFile, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if tc.cert, err = tls.X509KeyPair(certPEM, keyPEM); err != nil {
		t.Fatal(err)
	}
	tc.pool.AppendCertsFromPEM(certPEM)
	return tc
}

func TestTLSServesHTTP2(t *testing.T) {
	tc := newTestCert(t)
	tests := []struct {
		name string
		opt  Option
	}{
		{"certificate from files", WithTLSFiles(tc.certFile, tc.keyFile)},
		{"certificate in a *tls.Config", WithTLS(&tls.Config{Certificates: []tls.Certificate{tc.cert}})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(tt.opt)
			s.Get("/", func(c *Context) error { return c.Text(200, c.Request().Proto) })
			addr := serveOnLoopback(t, s)

			tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: tc.pool}, ForceAttemptHTTP2: true}
			defer tr.CloseIdleConnections() // lets Shutdown end without waiting on HTTP/2's GOAWAY timer
			h2 := &http.Client{Timeout: hangGuard, Transport: tr}
			resp, err := h2.Get("https://" + addr + "/")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.ProtoMajor != 2 || resp.TLS.NegotiatedProtocol != "h2" {
				t.Errorf("protocol %s (ALPN %q), want HTTP/2", resp.Proto, resp.TLS.NegotiatedProtocol)
			}

			h1 := &http.Client{Timeout: hangGuard, Transport: &http.Transport{
				TLSClientConfig: &tls.Config{RootCAs: tc.pool},
				TLSNextProto:    map[string]func(string, *tls.Conn) http.RoundTripper{},
			}}
			code, body, err := httpGet(h1, "https://"+addr+"/")
			if err != nil || code != 200 || body != "HTTP/1.1" {
				t.Errorf("HTTP/1.1 client: %d %q %v", code, body, err)
			}
		})
	}
}

func TestTLSHandshakePolicy(t *testing.T) {
	tc := newTestCert(t)
	const cbc = tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA
	tests := []struct {
		name    string
		server  *tls.Config // nil: certificate files, all defaults
		client  *tls.Config
		wantErr bool
	}{
		{name: "TLS 1.3 is accepted", client: &tls.Config{MinVersion: tls.VersionTLS13}},
		{name: "TLS 1.2 with an AEAD suite is accepted", client: &tls.Config{MaxVersion: tls.VersionTLS12}},
		{name: "TLS 1.1 is refused", client: &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}, wantErr: true},
		{name: "TLS 1.2 with only a CBC suite is refused", client: &tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{cbc}}, wantErr: true},
		{
			name:    "the defaults also apply to a *tls.Config without versions",
			server:  &tls.Config{Certificates: []tls.Certificate{tc.cert}},
			client:  &tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{cbc}},
			wantErr: true,
		},
		{
			// HTTP/2 needs an AES-128-GCM suite in the list.
			name:   "cipher suites chosen by the caller are kept",
			server: &tls.Config{Certificates: []tls.Certificate{tc.cert}, CipherSuites: []uint16{cbc, tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}},
			client: &tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{cbc}},
		},
		{
			name:   "a caller may allow TLS 1.1 with suites of its choice",
			server: &tls.Config{Certificates: []tls.Certificate{tc.cert}, MinVersion: tls.VersionTLS10, CipherSuites: []uint16{cbc, tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}},
			client: &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11},
		},
		{
			name:    "a minimum version chosen by the caller is kept",
			server:  &tls.Config{Certificates: []tls.Certificate{tc.cert}, MinVersion: tls.VersionTLS13},
			client:  &tls.Config{MaxVersion: tls.VersionTLS12},
			wantErr: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opt := WithTLSFiles(tc.certFile, tc.keyFile)
			if tt.server != nil {
				opt = WithTLS(tt.server)
			}
			addr := serveOnLoopback(t, newTestServer(opt))
			cfg := tt.client.Clone()
			cfg.RootCAs = tc.pool
			d := tls.Dialer{Config: cfg, NetDialer: &net.Dialer{Timeout: hangGuard}}
			conn, err := d.DialContext(context.Background(), "tcp", addr)
			if err == nil {
				conn.Close()
			}
			if (err != nil) != tt.wantErr {
				t.Errorf("handshake error %v, want error: %v", err, tt.wantErr)
			}
		})
	}
}

func TestTLSFilesThatCannotBeLoaded(t *testing.T) {
	s := newTestServer(WithTLSFiles("/nonexistent/cert.pem", "/nonexistent/key.pem"))
	err := s.Run(context.Background())
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "loading TLS certificate") {
		t.Fatalf("Run = %v, want a certificate loading error", err)
	}
}

func TestH2CIsOptIn(t *testing.T) {
	tests := []struct {
		name   string
		h2c    bool
		wantH2 bool
	}{
		{name: "with WithH2C a prior-knowledge client gets HTTP/2", h2c: true, wantH2: true},
		{name: "without it the client does not"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(WithH2C(tt.h2c))
			s.Get("/", func(c *Context) error { return c.Text(200, "ok") })
			addr := serveOnLoopback(t, s)

			var p http.Protocols
			p.SetUnencryptedHTTP2(true)
			tr := &http.Transport{Protocols: &p}
			defer tr.CloseIdleConnections()
			h2c := &http.Client{Timeout: hangGuard, Transport: tr}
			resp, err := h2c.Get("http://" + addr + "/")
			gotH2 := err == nil && resp.ProtoMajor == 2
			if err == nil {
				resp.Body.Close()
			}
			if gotH2 != tt.wantH2 {
				t.Errorf("HTTP/2 over cleartext: %v (err %v), want %v", gotH2, err, tt.wantH2)
			}

			if code, _, err := httpGet(newClient(), "http://"+addr+"/"); err != nil || code != 200 {
				t.Errorf("HTTP/1.1 client: %d %v", code, err)
			}
		})
	}
}

func TestServeClosesTheListenerWhenNetHTTPRefusesToStart(t *testing.T) {
	tc := newTestCert(t)
	// HTTP/2 refuses a suite list without AES-128-GCM.
	s := newTestServer(WithTLS(&tls.Config{
		Certificates: []tls.Certificate{tc.cert},
		CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA},
	}))
	ln, err := s.Listen(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Serve(ln); err == nil || !strings.Contains(err.Error(), "http2") {
		t.Fatalf("Serve = %v, want the HTTP/2 configuration error", err)
	}
	if c, err := net.Dial("tcp", ln.Addr().String()); !errors.Is(err, syscall.ECONNREFUSED) {
		if c != nil {
			c.Close()
		}
		t.Errorf("dial after a failed Serve: %v, want refused", err)
	}
}

package middleware

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// Rate is a rate limit: Limit requests per Period, with bursts of up to
// Limit requests.
type Rate struct {
	Limit  int
	Period time.Duration
}

// ParseRate parses a rate written N/duration, such as "5/1m", "100/1s"
// or "1000/1h": N is a positive integer and duration a positive Go
// duration (time.ParseDuration) of at least a millisecond and at least N
// microseconds.
func ParseRate(s string) (Rate, error) {
	n, d, ok := strings.Cut(strings.TrimSpace(s), "/")
	limit, err := strconv.Atoi(n)
	if !ok || err != nil || limit <= 0 {
		return Rate{}, fmt.Errorf("rate %q: want N/duration with N a positive integer, such as 5/1m", s)
	}
	period, err := time.ParseDuration(d)
	if err != nil || period < time.Millisecond {
		return Rate{}, fmt.Errorf("rate %q: want N/duration with a duration of at least 1ms, such as 5/1m", s)
	}
	r := Rate{Limit: limit, Period: period}
	if err := r.check(); err != nil {
		return Rate{}, fmt.Errorf("rate %q: want N/duration with at most one request per microsecond: %w", s, err)
	}
	return r, nil
}

// String returns the rate as ParseRate reads it.
func (r Rate) String() string {
	d := r.Period.String() // "1m0s": drop the zero units after the first
	if strings.HasSuffix(d, "m0s") {
		d = strings.TrimSuffix(d, "0s")
	}
	if strings.HasSuffix(d, "h0m") {
		d = strings.TrimSuffix(d, "0m")
	}
	return strconv.Itoa(r.Limit) + "/" + d
}

// Interval is the time in which one spent request comes back: Period
// divided by Limit.
func (r Rate) Interval() time.Duration { return r.Period / time.Duration(r.Limit) }

func (r Rate) check() error {
	if r.Limit <= 0 || r.Period < time.Millisecond || r.Period/time.Duration(r.Limit) < time.Microsecond {
		return fmt.Errorf("rate %d/%v: want a positive Limit, a Period of at least 1ms and at least 1µs per request", r.Limit, r.Period)
	}
	return nil
}

// RateLimitResult is a store's answer to one Take.
type RateLimitResult struct {
	// Allowed reports whether the tokens were taken.
	Allowed bool
	// Remaining is how many requests the key may still make right now.
	Remaining int
	// RetryAfter is how long until the request would be allowed; zero
	// when it was.
	RetryAfter time.Duration
	// Reset is how long until the key's whole budget is back.
	Reset time.Duration
}

// RateLimitStore keeps the budgets of rate-limited keys. Take spends n
// requests of key's budget under rate, atomically, or none when fewer
// are left; it uses the store's own clock. The memory store
// (NewMemoryRateLimitStore) is the default; package
// github.com/hyperlane-go/hyperlane/backplane/redis has one that several
// instances share.
type RateLimitStore interface {
	Take(ctx context.Context, key string, rate Rate, n int) (RateLimitResult, error)
}

// RateLimitConfig configures a RateLimiter. Rate is required.
type RateLimitConfig struct {
	// Rate is the budget of each key, such as ParseRate("5/1m").
	Rate Rate
	// Name names the policy in the RateLimit-Policy and RateLimit
	// headers: a lower-case letter or '*', then lower-case letters,
	// digits and _-.*/ (a structured-field token). Default: "default".
	Name string
	// Key returns the key whose budget a request spends. Default:
	// KeyByIP. An empty key leaves the request unlimited.
	Key func(c *hyperlane.Context) string
	// Store keeps the budgets. Default: a memory store of
	// DefaultRateLimitMaxKeys keys (NewMemoryRateLimitStore).
	Store RateLimitStore
	// FailClosed answers 503 (problem+json, Retry-After: 1) when the store
	// fails. By default the limiter fails open: the request goes through
	// without rate-limit headers. Either way the first error of an outage
	// is logged at Error level and the recovery at Info level, nothing in
	// between.
	FailClosed bool
	// Logger receives the outage logs. Default: the server's logger.
	Logger *slog.Logger
}

// RateLimiter limits the requests of each key (client IP, API key, ...)
// to a Rate with the generic cell rate algorithm (a token bucket that
// refills continuously: Limit requests at once, then one every
// Period/Limit). It answers a request over the limit with 429 Too Many
// Requests as problem+json, with Retry-After (whole seconds, rounded up,
// until the request would be allowed), and tells every limited request
// its budget in the RateLimit-Policy and RateLimit headers of the IETF
// draft draft-ietf-httpapi-ratelimit-headers-10:
//
//	RateLimit-Policy: "default";q=5;w=60
//	RateLimit: "default";r=4;t=12
//
// q is Limit, w the Period in seconds (rounded up), r the requests left
// and t the seconds (rounded up) until all q are back.
//
// Install it with Middleware (a request half, so the 429 is answered
// before the handler runs), on a server, a group, or one typed operation
// with openapi.RateLimited, which also documents the 429.
type RateLimiter struct {
	rate       Rate
	key        func(c *hyperlane.Context) string
	store      RateLimitStore
	failClosed bool
	logger     *slog.Logger
	down       atomic.Bool // the store failed and has not answered since

	name        string
	valPolicy   []string
	rateLimitP  string // `"name";r=`
	retryOnFail []string
}

// DefaultRateLimitName is the policy name of a RateLimiter without Name.
const DefaultRateLimitName = "default"

// maxRawKey bounds a key stored as it is; a longer one (a huge API key
// header) is replaced by its SHA-256, so no client can make a store hold
// more than a few dozen bytes per key.
const maxRawKey = 64

// NewRateLimiter returns a RateLimiter for cfg. It panics on a config it
// cannot honour: no Rate or a malformed Name.
func NewRateLimiter(cfg RateLimitConfig) *RateLimiter {
	if err := cfg.Rate.check(); err != nil {
		panic("middleware: RateLimit: " + err.Error())
	}
	name := cfg.Name
	if name == "" {
		name = DefaultRateLimitName
	}
	if !sfToken(name) {
		panic(fmt.Sprintf("middleware: RateLimit: Name %q is not a lower-case token such as \"default\" or \"writes\"", name))
	}
	l := &RateLimiter{
		rate: cfg.Rate, key: cfg.Key, store: cfg.Store, failClosed: cfg.FailClosed, logger: cfg.Logger,
		name:        name,
		rateLimitP:  strconv.Quote(name) + ";r=",
		retryOnFail: []string{"1"},
	}
	if l.key == nil {
		l.key = KeyByIP
	}
	if l.store == nil {
		l.store = NewMemoryRateLimitStore(MemoryRateLimitConfig{})
	}
	l.valPolicy = []string{strconv.Quote(name) + ";q=" + strconv.Itoa(cfg.Rate.Limit) +
		";w=" + strconv.FormatInt(ceilSeconds(cfg.Rate.Period), 10)}
	return l
}

// RateLimit returns NewRateLimiter(cfg).Middleware().
func RateLimit(cfg RateLimitConfig) Middleware { return NewRateLimiter(cfg).Middleware() }

// Middleware returns the limiter as a request half for Install.
func (l *RateLimiter) Middleware() Middleware { return Middleware{Request: l.Limit} }

// Policy returns the RateLimit-Policy header value, such as
// `"default";q=5;w=60`.
func (l *RateLimiter) Policy() string { return l.valPolicy[0] }

// Rate returns the limiter's rate.
func (l *RateLimiter) Rate() Rate { return l.rate }

// Limit spends one request of the request's key: it sets the
// RateLimit-Policy and RateLimit headers and returns nil, or returns the
// 429 problem (with the same headers and Retry-After) when the budget is
// spent. It is the limiter's request half.
func (l *RateLimiter) Limit(c *hyperlane.Context) error {
	key := l.key(c)
	if key == "" {
		return nil
	}
	if len(key) > maxRawKey {
		sum := sha256.Sum256([]byte(key))
		key = "sha256:" + hex.EncodeToString(sum[:])
	}
	res, err := l.store.Take(c.Context(), key, l.rate, 1)
	if err != nil {
		if c.Context().Err() != nil {
			// The client went away (or the server is closing) while the
			// store answered: not an outage of the store.
			return &hyperlane.HTTPError{Status: http.StatusRequestTimeout,
				Detail: "the request ended before the rate limit answered", Err: err}
		}
		return l.storeFailed(c, err)
	}
	if l.down.CompareAndSwap(true, false) {
		l.log(c).InfoContext(c.Context(), "rate limit store answers again; limiting resumed", "policy", l.name)
	}
	h := c.ResponseHeader()
	h["Ratelimit-Policy"] = l.valPolicy
	h["Ratelimit"] = []string{l.rateLimitP + strconv.Itoa(max(res.Remaining, 0)) + ";t=" + strconv.FormatInt(ceilSeconds(res.Reset), 10)}
	if res.Allowed {
		return nil
	}
	retry := max(ceilSeconds(res.RetryAfter), 1)
	return &hyperlane.HTTPError{
		Status: http.StatusTooManyRequests,
		Detail: fmt.Sprintf("rate limit %s exceeded; retry in %d s", l.rate, retry),
		Header: http.Header{
			"Retry-After":      {strconv.FormatInt(retry, 10)},
			"Ratelimit-Policy": h["Ratelimit-Policy"],
			"Ratelimit":        h["Ratelimit"],
		},
	}
}

// storeFailed logs the first error of an outage and fails open or
// closed.
func (l *RateLimiter) storeFailed(c *hyperlane.Context, err error) error {
	if !l.down.Swap(true) {
		l.log(c).ErrorContext(c.Context(), "rate limit store failed; until it answers again requests are "+
			map[bool]string{true: "refused with 503", false: "let through unlimited"}[l.failClosed],
			"policy", l.name, "error", err)
	}
	if !l.failClosed {
		return nil
	}
	return &hyperlane.HTTPError{
		Status: http.StatusServiceUnavailable,
		Detail: "rate limit unavailable",
		Header: http.Header{"Retry-After": l.retryOnFail},
		Err:    fmt.Errorf("rate limit store: %w", err),
	}
}

func (l *RateLimiter) log(c *hyperlane.Context) *slog.Logger {
	if l.logger != nil {
		return l.logger
	}
	return c.Logger()
}

// KeyByIP keys requests by Context.ClientIP: forwarding headers count
// only from trusted proxies (hyperlane.WithTrustedProxies), so a client
// cannot pick its key by sending X-Forwarded-For.
func KeyByIP(c *hyperlane.Context) string { return "ip:" + c.ClientIP() }

// KeyByHeader keys requests by the value of header, such as an API key
// in X-API-Key, and requests without it by KeyByIP, so leaving the header
// out never escapes the limit. Values longer than 64 bytes are hashed.
// Check the key elsewhere (openapi.Security): an unchecked header lets a
// client spread its requests over as many keys as it invents.
func KeyByHeader(header string) func(c *hyperlane.Context) string {
	if header == "" {
		panic("middleware: KeyByHeader needs a header name")
	}
	header = http.CanonicalHeaderKey(header)
	return func(c *hyperlane.Context) string {
		if v := c.Request().Header.Get(header); v != "" {
			return "hdr:" + v
		}
		return KeyByIP(c)
	}
}

// ceilSeconds returns d in whole seconds, rounded up; 0 for d <= 0.
func ceilSeconds(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return int64(math.Ceil(d.Seconds()))
}

// sfToken reports whether s is a token of RFC 9651 structured fields
// that starts with a lower-case letter or '*' and holds no upper-case
// letter, so that it reads the same in every header.
func sfToken(s string) bool {
	if s == "" || !(s[0] == '*' || 'a' <= s[0] && s[0] <= 'z') {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case strings.IndexByte("_-.*/:!#$%&'+^`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// ErrRateLimitTake is wrapped by stores' errors for a Take they refuse:
// n below 1 or above the rate's Limit, or a malformed Rate.
var ErrRateLimitTake = errors.New("rate limit take")

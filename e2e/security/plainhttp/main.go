// Command plainhttp is a bare net/http server, the baseline the e2e
// security suite holds Hyperlane to: whatever h2spec reports against it
// on this machine is net/http's, not Hyperlane's.
//
//	plainhttp -addr 127.0.0.1:PORT [-cert c.pem -key k.pem] [-h2c]
package main

import (
	"flag"
	"log"
	"net/http"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	cert := flag.String("cert", "", "TLS certificate (PEM); with -key serves HTTPS")
	key := flag.String("key", "", "TLS key (PEM)")
	h2c := flag.Bool("h2c", false, "serve HTTP/2 over cleartext with prior knowledge")
	flag.Parse()
	srv := &http.Server{
		Addr: *addr,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_, _ = w.Write([]byte("Hello net/http => /"))
		}),
		Protocols: new(http.Protocols),
	}
	srv.Protocols.SetHTTP1(true)
	srv.Protocols.SetHTTP2(true)
	srv.Protocols.SetUnencryptedHTTP2(*h2c)
	var err error
	if *cert != "" {
		err = srv.ListenAndServeTLS(*cert, *key)
	} else {
		err = srv.ListenAndServe()
	}
	log.Fatal(err)
}

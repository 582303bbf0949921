// Command otlpreceiver is a minimal OTLP/HTTP trace receiver for the
// observability suite: it accepts POST /v1/traces in protobuf, decodes
// every span with go.opentelemetry.io/proto/otlp, and writes one JSON
// line per span to the file named by -out (name, kind, ids, parent,
// attributes as strings), so that a shell script can check what an app
// exported. It answers 200 with an empty ExportTraceServiceResponse.
//
//	otlpreceiver -addr 127.0.0.1:4318 -out spans.jsonl
package main

import (
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"strconv"
	"sync"

	collector "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	common "go.opentelemetry.io/proto/otlp/common/v1"
	"google.golang.org/protobuf/proto"
)

// span is one line of the output.
type span struct {
	Service string            `json:"service"`
	Name    string            `json:"name"`
	Kind    string            `json:"kind"`
	TraceID string            `json:"trace_id"`
	SpanID  string            `json:"span_id"`
	Parent  string            `json:"parent_span_id"`
	Start   uint64            `json:"start_unix_nano"`
	End     uint64            `json:"end_unix_nano"`
	Status  string            `json:"status"`
	Attrs   map[string]string `json:"attributes"`
}

func main() {
	addr := flag.String("addr", "127.0.0.1:4318", "listen address")
	out := flag.String("out", "spans.jsonl", "file the spans are appended to, one JSON object a line")
	flag.Parse()
	f, err := os.OpenFile(*out, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		log.Fatal(err)
	}
	var mu sync.Mutex
	enc := json.NewEncoder(f)
	http.HandleFunc("POST /v1/traces", func(w http.ResponseWriter, r *http.Request) {
		if ct := r.Header.Get("Content-Type"); ct != "application/x-protobuf" {
			http.Error(w, "want application/x-protobuf, got "+ct, http.StatusUnsupportedMediaType)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var req collector.ExportTraceServiceRequest
		if err := proto.Unmarshal(body, &req); err != nil {
			http.Error(w, "decoding ExportTraceServiceRequest: "+err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		for _, rs := range req.GetResourceSpans() {
			service := ""
			for _, kv := range rs.GetResource().GetAttributes() {
				if kv.GetKey() == "service.name" {
					service = value(kv.GetValue())
				}
			}
			for _, ss := range rs.GetScopeSpans() {
				for _, s := range ss.GetSpans() {
					line := span{Service: service, Name: s.GetName(), Kind: s.GetKind().String(),
						TraceID: hex.EncodeToString(s.GetTraceId()), SpanID: hex.EncodeToString(s.GetSpanId()),
						Parent: hex.EncodeToString(s.GetParentSpanId()), Start: s.GetStartTimeUnixNano(),
						End: s.GetEndTimeUnixNano(), Status: s.GetStatus().GetCode().String(), Attrs: map[string]string{}}
					for _, kv := range s.GetAttributes() {
						line.Attrs[kv.GetKey()] = value(kv.GetValue())
					}
					if err := enc.Encode(line); err != nil {
						log.Printf("writing span: %v", err)
					}
				}
			}
		}
		resp, _ := proto.Marshal(&collector.ExportTraceServiceResponse{})
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(resp)
	})
	log.Printf("otlpreceiver on %s, spans to %s", *addr, *out)
	srv := &http.Server{Addr: *addr, ReadHeaderTimeout: 5e9}
	log.Fatal(srv.ListenAndServe())
}

// value renders an attribute value as a string.
func value(v *common.AnyValue) string {
	switch x := v.GetValue().(type) {
	case *common.AnyValue_StringValue:
		return x.StringValue
	case *common.AnyValue_IntValue:
		return strconv.FormatInt(x.IntValue, 10)
	case *common.AnyValue_BoolValue:
		return strconv.FormatBool(x.BoolValue)
	case *common.AnyValue_DoubleValue:
		return strconv.FormatFloat(x.DoubleValue, 'g', -1, 64)
	default:
		return fmt.Sprint(v)
	}
}

package hyperlane

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"
)

// sseField is one "name: value" line of an event stream.
type sseField struct{ name, value string }

// sseBlocks splits an event stream into blocks, each the field lines
// before a blank line, the way the HTML standard's parser reads it:
// lines end at CRLF, LF or CR; a line starting with ':' is a comment; one
// space after the colon is dropped. It also returns what follows the
// last blank line, which for a complete stream is empty.
func sseBlocks(stream []byte) (blocks [][]sseField, comments int, rest string) {
	var cur []sseField
	s := string(stream)
	for s != "" {
		i := strings.IndexAny(s, "\r\n")
		if i < 0 {
			return blocks, comments, s
		}
		line := s[:i]
		if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
			i++
		}
		s = s[i+1:]
		switch {
		case line == "":
			blocks = append(blocks, cur)
			cur = nil
		case line[0] == ':':
			comments++
		default:
			name, value, _ := strings.Cut(line, ":")
			cur = append(cur, sseField{name, strings.TrimPrefix(value, " ")})
		}
	}
	if cur != nil {
		return blocks, comments, "unterminated fields"
	}
	return blocks, comments, ""
}

// normalizeLines turns every CRLF and CR into LF, as a client joining
// data lines sees the text.
func normalizeLines(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// FuzzSSEEvent encodes arbitrary events and parses the bytes back as a
// browser would: a valid event is exactly one event carrying exactly the
// fields it was given, with the data intact; an event that cannot be
// encoded safely is refused. No input yields an extra event or field.
func FuzzSSEEvent(f *testing.F) {
	f.Add("1", "message", "hello", int64(0), byte(0))
	f.Add("", "", "line1\nline2\r\nline3\rline4", int64(1500), byte(1))
	f.Add("a\nb", "x", "data", int64(0), byte(0))
	f.Add("7", "e\r\ndata: injected", "", int64(0), byte(0))
	f.Add("", "", "\n\n\n", int64(0), byte(2))
	f.Add("", "", "id: 99\n\nevent: evil", int64(-1), byte(3))
	f.Add("", "", "", int64(0), byte(4))
	f.Add("\x00", "", "x", int64(0), byte(0))
	f.Add("", "", "\u2028\u2029\x00\xff", int64(999), byte(3))
	f.Fuzz(func(t *testing.T, id, event, data string, retryMs int64, kind byte) {
		e := Event{ID: id, Event: event, Retry: time.Duration(retryMs) * time.Millisecond}
		wantData, hasData := data, true
		switch kind % 5 {
		case 0:
			e.Data = data
		case 1:
			e.Data = []byte(data)
		case 2:
			e.Data = json.RawMessage(data)
		case 3:
			e.Data = map[string]string{"s": data}
			b, _ := json.Marshal(e.Data)
			wantData = string(b)
		case 4:
			hasData = false
		}
		invalid := strings.ContainsAny(id, "\r\n\x00") || strings.ContainsAny(event, "\r\n\x00") ||
			e.Retry < 0 || (id == "" && event == "" && e.Retry == 0 && !hasData)
		out, err := appendEvent(nil, e)
		if invalid {
			if err == nil {
				t.Fatalf("event %+v was encoded, want an error: %q", e, out)
			}
			return
		}
		if err != nil {
			t.Fatalf("valid event %+v refused: %v", e, err)
		}
		blocks, comments, rest := sseBlocks(out)
		if len(blocks) != 1 || comments != 0 || rest != "" {
			t.Fatalf("event %+v encoded as %q: %d blocks, %d comments, rest %q; want one event", e, out, len(blocks), comments, rest)
		}
		var ids, events, retries, datas []string
		for _, fl := range blocks[0] {
			switch fl.name {
			case "id":
				ids = append(ids, fl.value)
			case "event":
				events = append(events, fl.value)
			case "retry":
				retries = append(retries, fl.value)
			case "data":
				datas = append(datas, fl.value)
			default:
				t.Fatalf("event %+v encoded with an extra field %q: %q", e, fl.name, out)
			}
		}
		check := func(field string, got []string, want string, present bool) {
			t.Helper()
			if !present && len(got) != 0 || present && (len(got) != 1 || got[0] != want) {
				t.Fatalf("event %+v: %s fields %q, want %q (present %v); wire %q", e, field, got, want, present, out)
			}
		}
		check("id", ids, id, id != "")
		check("event", events, event, event != "")
		check("retry", retries, strconv.FormatInt(e.Retry.Milliseconds(), 10), e.Retry > 0)
		if !hasData {
			check("data", datas, "", false)
		} else if got := strings.Join(datas, "\n"); len(datas) == 0 || got != normalizeLines(wantData) {
			t.Fatalf("event %+v: data %q came back as %q; wire %q", e, wantData, got, out)
		}
	})
}

// FuzzSSEComment writes arbitrary comment text: however many lines it
// has, the client sees comments only, never a field or an event.
func FuzzSSEComment(f *testing.F) {
	for _, seed := range []string{"", "heartbeat", "a\nb", "x\r\ndata: evil\r\n\r\n", "\r\r\r", "data: 1\n\nid: 2"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		out := append(appendLines(nil, ":", text), '\n')
		blocks, comments, rest := sseBlocks(out)
		if len(blocks) != 1 || len(blocks[0]) != 0 || rest != "" {
			t.Fatalf("comment %q encoded as %q: blocks %q, rest %q; want comments only", text, out, blocks, rest)
		}
		if want := strings.Count(normalizeLines(text), "\n") + 1; comments != want {
			t.Fatalf("comment %q gave %d comment lines, want %d", text, comments, want)
		}
		if !bytes.HasSuffix(out, []byte("\n\n")) {
			t.Fatalf("comment %q does not end its block: %q", text, out)
		}
	})
}

package main

import (
	"bytes"
	"net"
)

func init() { contenders["ceiling"] = serveCeiling }

// ceilingResponse is what net/http sends for GET /, prepared once.
var ceilingResponse = []byte("HTTP/1.1 200 OK\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n" +
	"Date: Sat, 01 Jan 2000 00:00:00 GMT\r\n" +
	"Content-Length: 13\r\n\r\n" + helloText)

// serveCeiling is the raw-TCP ceiling: no HTTP parsing at all, one fixed
// response for every request head. It measures the loopback, the load
// generator and the kernel; run.sh also uses it to spot noisy rounds.
func serveCeiling(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		go answerHeads(c)
	}
}

// answerHeads writes one response per "\r\n\r\n" read; requests carry no
// body in this scenario.
func answerHeads(c net.Conn) {
	defer c.Close()
	buf := make([]byte, 16<<10)
	var out []byte
	carry := 0 // bytes kept from the previous read, for a split "\r\n\r\n"
	for {
		n, err := c.Read(buf[carry:])
		if err != nil {
			return
		}
		data := buf[:carry+n]
		out = out[:0]
		for {
			i := bytes.Index(data, []byte("\r\n\r\n"))
			if i < 0 {
				break
			}
			out = append(out, ceilingResponse...)
			data = data[i+4:]
		}
		carry = copy(buf, data[max(0, len(data)-3):])
		if len(out) > 0 {
			if _, err := c.Write(out); err != nil {
				return
			}
		}
	}
}

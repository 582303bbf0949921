package openapi_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/openapi"
)

// command returns the "openapi" command New registered on s.
func command(t *testing.T, s *hyperlane.Server) hyperlane.Command {
	t.Helper()
	for _, c := range s.Commands() {
		if c.Name == openapi.CommandName {
			return c
		}
	}
	t.Fatalf("no %q command among %v", openapi.CommandName, s.Commands())
	return hyperlane.Command{}
}

func TestCommand(t *testing.T) {
	s, api := newAPI(t, openapi.Config{Title: "Cmd"})
	openapi.Get(api, "/pets/{id}", handler[petInput, pet])
	cmd := command(t, s)
	if cmd.Summary == "" {
		t.Error("the command has no summary for --help")
	}
	tests := []struct {
		name            string
		args            []string
		version, format string
		err             string
	}{
		{"the default is 3.1 YAML, as api.yaml", nil, "3.1", "yaml", ""},
		{"JSON", []string{"--format", "json"}, "3.1", "json", ""},
		{"3.0 with one dash and =", []string{"-version=3.0", "-format=yaml"}, "3.0", "yaml", ""},
		{"3.0 JSON", []string{"--version", "3.0", "--format", "json"}, "3.0", "json", ""},
		{"an unknown format", []string{"--format", "xml"}, "", "", `unknown format "xml"`},
		{"an unknown version", []string{"--version", "2.0"}, "", "", `unknown version "2.0"`},
		{"an unknown flag", []string{"--pretty"}, "", "", "flag provided but not defined: -pretty"},
		{"a stray argument", []string{"extra"}, "", "", `unexpected argument "extra"`},
		{"help", []string{"-h"}, "", "", "usage: openapi [--format yaml|json] [--version 3.1|3.0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := cmd.Run(context.Background(), tt.args, &out)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				if out.Len() != 0 {
					t.Errorf("a failed command printed %q", out.String())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want, _ := api.Spec(tt.version, tt.format)
			if out.String() != string(want) {
				t.Errorf("printed document differs from the served one:\n%s", out.String())
			}
		})
	}
}

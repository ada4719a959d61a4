package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/vigilsec/vigil/internal/api"
)

// clientFlags are shared by every client command.
type clientFlags struct {
	fs     *flag.FlagSet
	server string
	token  string
	data   string
	json   bool
}

func newClientFlags(name string, stderr io.Writer) *clientFlags {
	f := &clientFlags{fs: flag.NewFlagSet(name, flag.ContinueOnError)}
	f.fs.SetOutput(stderr)
	f.fs.StringVar(&f.server, "server", "", "API address (env VIGIL_SERVER; default: DIR/api.url)")
	f.fs.StringVar(&f.token, "token", "", "admin token (env VIGIL_TOKEN; default: DIR/admin.token)")
	f.fs.StringVar(&f.data, "data", "/var/lib/vigil", "data directory of a local vigil up/server")
	f.fs.BoolVar(&f.json, "json", false, "print JSON")
	return f
}

// client resolves server and token: flags, then environment, then the
// files a local `vigil up`/`vigil server` wrote into its data directory.
func (f *clientFlags) client() (*api.Client, error) {
	server, token := f.server, f.token
	if server == "" {
		server = os.Getenv("VIGIL_SERVER")
	}
	if token == "" {
		token = os.Getenv("VIGIL_TOKEN")
	}
	if server == "" {
		b, err := os.ReadFile(filepath.Join(f.data, "api.url"))
		if err != nil {
			return nil, fmt.Errorf("no server: give --server or VIGIL_SERVER, or --data of a local vigil (%v)", err)
		}
		server = strings.TrimSpace(string(b))
	}
	if token == "" {
		b, err := os.ReadFile(filepath.Join(f.data, "admin.token"))
		if err != nil {
			return nil, fmt.Errorf("no token: give --token or VIGIL_TOKEN, or --data of a local vigil (%v)", err)
		}
		token = strings.TrimSpace(string(b))
	}
	return api.NewClient(server, token), nil
}

// parse reads the command's flags (which may follow its positional
// arguments) and makes the API client; it returns the positionals.
func (f *clientFlags) parse(args []string) ([]string, *api.Client, error) {
	pos, err := parseInterleaved(f.fs, args)
	if err != nil {
		return nil, nil, err
	}
	c, err := f.client()
	return pos, c, err
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// parseInterleaved parses flags that may come after positional arguments
// (`vigil rules put NAME --pattern FILE`), returning the positionals.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// jsonStrict decodes data into v, refusing unknown fields.
func jsonStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

package main

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"unicode"
)

// Error ids follow MapR's errno-style codes (its REST errors carry ids such
// as 22 for invalid arguments).
const (
	errPerm    = 1
	errNoEnt   = 2
	errExist   = 17
	errInval   = 22
	errNoCLDB  = 10009
	errUnknown = 10003
)

// cliError is a failure maprcli reports: in the JSON envelope with -json,
// as "ERROR (id) - desc" on stderr otherwise.
type cliError struct {
	id   int
	desc string
}

func (e *cliError) Error() string { return e.desc }

func fail(id int, format string, args ...any) error {
	return &cliError{id: id, desc: fmt.Sprintf(format, args...)}
}

// maprcli emulates `maprcli <command> <subcommand> [-param value]... [-json]`.
func (s *sim) maprcli(args []string) int {
	if len(args) == 0 || args[0] == "--help" || args[0] == "-h" {
		fmt.Fprint(s.stdout, banner+"\nusage: maprcli license add|list|remove|showid [-param value]... [-json]\n")
		return 0
	}
	cmd, params, asJSON, err := parseMaprcliArgs(args)
	if err == nil {
		var data []any
		data, err = s.dispatch(cmd, params)
		if err == nil {
			s.printOK(data, asJSON)
			return 0
		}
	}
	return s.printError(err, asJSON)
}

func parseMaprcliArgs(args []string) (string, map[string]string, bool, error) {
	var words []string
	params := map[string]string{}
	asJSON := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-json":
			asJSON = true
		case strings.HasPrefix(a, "-"):
			if i+1 >= len(args) {
				return "", nil, asJSON, fail(errInval, "Parameter %s requires a value", a)
			}
			params[a[1:]] = args[i+1]
			i++
		default:
			words = append(words, a)
		}
	}
	return strings.Join(words, " "), params, asJSON, nil
}

func (s *sim) dispatch(cmd string, params map[string]string) ([]any, error) {
	allowed := map[string][]string{
		"license add":    {"cluster", "is_file", "license"},
		"license list":   {"cluster"},
		"license remove": {"cluster", "license_id"},
		"license showid": {"cluster", "showNodes"},
	}
	names, ok := allowed[cmd]
	if !ok {
		return nil, fail(errUnknown, "Unknown command: %s (maprsim emulates only the license commands)", cmd)
	}
	for p := range params {
		if !contains(names, p) {
			return nil, fail(errInval, "Invalid parameter -%s for %s", p, cmd)
		}
	}
	if c := params["cluster"]; c != "" {
		if name := s.clusterName(); c != name {
			return nil, fail(errNoEnt, "Cluster %s not found", c)
		}
	}
	unlock, err := s.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	id, err := s.cldb()
	if err != nil {
		return nil, err
	}
	switch cmd {
	case "license add":
		return nil, s.licenseAdd(id, params)
	case "license list":
		return s.licenseList()
	case "license remove":
		return nil, s.licenseRemove(params)
	default:
		return []any{map[string]any{"id": id}}, nil
	}
}

// cldb returns the cluster id when "CLDB is reachable": configured, warden
// running and the id written. Otherwise maprcli fails as it does against a
// stopped cluster.
func (s *sim) cldb() (string, error) {
	id, err := readOptional(s.conf("clusterid"))
	if err != nil {
		return "", err
	}
	if id == "" || !s.wardenRunning() {
		return "", fail(errNoCLDB, "Couldn't connect to the CLDB service")
	}
	return firstLine(id), nil
}

func (s *sim) clusterName() string {
	conf, _ := readOptional(s.conf("mapr-clusters.conf"))
	if f := strings.Fields(firstLine(conf)); len(f) > 0 {
		return f[0]
	}
	return ""
}

// storedLicense is one license in .maprsim/licenses.json.
type storedLicense struct {
	ID          string `json:"id"`
	Description string `json:"description"`
	License     string `json:"license"`
	Added       int64  `json:"added"`
}

// baseLicense is always listed and cannot be removed, like MapR's base
// edition entry.
var baseLicense = storedLicense{
	ID:          "88aEvYonv5HqJgaFrGfsKis5puQ=",
	Description: "MapR Base Edition",
	License:     "version: \"4.0\"\ncustomerid: \"BaseLicenseUser\"\nissuer: \"MapR Technologies, Inc.\"\nlicType: Base\ndescription: \"MapR Base Edition\"\nenforcement: HARD\ncapabilities {\n  feature: NFS\n}\n",
}

var (
	licClusterID   = regexp.MustCompile(`(?m)^\s*clusterid\s*:\s*"?([0-9]+)"?`)
	licDescription = regexp.MustCompile(`(?m)^\s*description\s*:\s*"([^"]*)"`)
)

// licenseID derives an id shaped like the documented ones (base64 of a
// 20-byte digest) from the license text, whitespace ignored.
func licenseID(text string) string {
	compact := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, text)
	sum := sha1.Sum([]byte(compact))
	return base64.StdEncoding.EncodeToString(sum[:])
}

func (s *sim) licenseAdd(clusterID string, params map[string]string) error {
	text := params["license"]
	if text == "" {
		return fail(errInval, "Parameter license is required")
	}
	switch strings.ToLower(orDefault(params["is_file"], "false")) {
	case "true":
		b, err := os.ReadFile(text)
		if err != nil {
			return fail(errNoEnt, "Failed to read license file %s: %v", text, errors.Unwrap(err))
		}
		text = string(b)
	case "false":
	default:
		return fail(errInval, "Invalid value %q for parameter is_file", params["is_file"])
	}
	if !strings.Contains(text, "-----BEGIN SIGNED MESSAGE-----") {
		return fail(errInval, "Invalid license: not a signed MapR license")
	}
	if m := licClusterID.FindStringSubmatch(text); m != nil && m[1] != clusterID {
		return fail(errInval, "License is not valid for this cluster: issued for cluster id %s, this cluster is %s", m[1], clusterID)
	}
	stored, err := s.licenses()
	if err != nil {
		return err
	}
	id := licenseID(text)
	for _, l := range append(stored, baseLicense) {
		if l.ID == id {
			return fail(errExist, "License already exists on this cluster (id %s); adding the same license twice is an error", id)
		}
	}
	desc := "MapR License"
	if m := licDescription.FindStringSubmatch(text); m != nil {
		desc = m[1]
	}
	stored = append(stored, storedLicense{ID: id, Description: desc, License: text, Added: s.now().UnixMilli()})
	return s.saveLicenses(stored)
}

func (s *sim) licenseRemove(params map[string]string) error {
	id := params["license_id"]
	if id == "" {
		return fail(errInval, "Parameter license_id is required")
	}
	if id == baseLicense.ID {
		return fail(errPerm, "License %s cannot be removed", id)
	}
	stored, err := s.licenses()
	if err != nil {
		return err
	}
	for i, l := range stored {
		if l.ID == id {
			return s.saveLicenses(append(stored[:i], stored[i+1:]...))
		}
	}
	return fail(errNoEnt, "License with id %s not found", id)
}

func (s *sim) licenseList() ([]any, error) {
	stored, err := s.licenses()
	if err != nil {
		return nil, err
	}
	all := append([]storedLicense{baseLicense}, stored...)
	out := make([]any, 0, len(all))
	for _, l := range all {
		out = append(out, map[string]any{
			"id":                  l.ID,
			"description":         l.Description,
			"deletable":           l.ID != baseLicense.ID,
			"grace":               false,
			"isAdditioanlFeature": false, // sic, as MapR spells it
			"maxnodes":            "unlimited",
			"license":             l.License,
		})
	}
	return out, nil
}

func (s *sim) licenses() ([]storedLicense, error) {
	b, err := readOptional(s.state("licenses.json"))
	if err != nil || b == "" {
		return nil, err
	}
	var stored []storedLicense
	if err := json.Unmarshal([]byte(b), &stored); err != nil {
		return nil, fmt.Errorf("maprsim state %s is corrupt: %w", s.state("licenses.json"), err)
	}
	return stored, nil
}

func (s *sim) saveLicenses(stored []storedLicense) error {
	sort.SliceStable(stored, func(i, j int) bool { return stored[i].Added < stored[j].Added })
	b, err := json.MarshalIndent(stored, "", "  ")
	if err != nil {
		return err
	}
	return writeFile(s.state("licenses.json"), string(b)+"\n", 0o600)
}

// envelope is MapR's JSON wrapper around every -json answer.
func (s *sim) envelope(status string) map[string]any {
	now := s.now()
	return map[string]any{
		"timestamp": now.UnixMilli(),
		"timeofday": now.Format("2006-01-02 03:04:05.000 GMT-0700 PM"),
		"status":    status,
	}
}

func (s *sim) printOK(data []any, asJSON bool) {
	if !asJSON {
		s.printTable(data)
		return
	}
	env := s.envelope("OK")
	if data != nil {
		env["total"] = len(data)
		env["data"] = data
	}
	b, _ := json.MarshalIndent(env, "", "\t")
	if strings.Contains(s.getenv("MAPRSIM_QUIRKS"), "raw-newlines") {
		// MapR's docs warn that piped -json output may not parse: emit the
		// license texts' newlines raw inside the strings.
		b = bytes.ReplaceAll(b, []byte(`\n`), []byte("\n"))
	}
	fmt.Fprintln(s.stdout, string(b))
}

func (s *sim) printTable(data []any) {
	for _, d := range data {
		m := d.(map[string]any)
		keys := make([]string, 0, len(m))
		for k := range m {
			if k != "license" {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		var cols []string
		for _, k := range keys {
			cols = append(cols, fmt.Sprintf("%s=%v", k, m[k]))
		}
		fmt.Fprintln(s.stdout, strings.Join(cols, "  "))
	}
}

func (s *sim) printError(err error, asJSON bool) int {
	var ce *cliError
	if !errors.As(err, &ce) {
		ce = &cliError{id: errUnknown, desc: err.Error()}
	}
	if asJSON {
		env := s.envelope("ERROR")
		env["errors"] = []any{map[string]any{"id": ce.id, "desc": ce.desc}}
		b, _ := json.MarshalIndent(env, "", "\t")
		fmt.Fprintln(s.stdout, string(b))
	} else {
		fmt.Fprintf(s.stderr, "ERROR (%d) -  %s\n", ce.id, ce.desc)
	}
	return 1
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

package declarative

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// FormatVersions are the accepted `_format_version` values; 1.1 and 2.1
// files are migrated to 3.0 on load, as Kong does.
var FormatVersions = []string{"1.1", "2.1", "3.0"}

// CurrentFormat is the version written by Dump and GET /config.
const CurrentFormat = "3.0"

// EmptyHash is Kong's configuration_hash before any configuration is loaded.
const EmptyHash = "00000000000000000000000000000000"

// Source is one configuration document: YAML or JSON bytes and the name
// errors refer to it by (a file path, "-" for stdin, "config" for a body).
type Source struct {
	Name string
	Data []byte
}

// ParseOptions control Parse.
type ParseOptions struct {
	// Env looks up variables for ${{ env "NAME" }} (os.LookupEnv for the
	// CLI). nil disables substitution: a reference is then an error, which
	// is what POST /config wants (a body must not read the server's
	// environment).
	Env func(string) (string, bool)
	// SelectTags are tags given on the command line. They must equal the
	// file's _info.select_tags when both are set (decK's rule).
	SelectTags []string
}

// File is a parsed declarative configuration: every entity, flattened in
// document order (parents before the children nested under them), as the
// user wrote it. Validation and resolution happen later, against schemas.
type File struct {
	// FormatVersion is the version as written; entities are already
	// migrated to 3.0.
	FormatVersion string
	// Transform is `_transform` (default true): false means values such
	// as basic-auth passwords are already in their stored (hashed) form.
	Transform bool
	// SelectTags scope sync/diff/dump: from _info.select_tags or the
	// command line.
	SelectTags []string
	Entities   []*Entity
	// Hash is the MD5 of the configuration's canonical JSON (after
	// environment substitution), Kong's configuration_hash format.
	Hash string

	masked map[string]bool
}

// Entity is one entity record of a file.
type Entity struct {
	// Kind is the entity (table) name, e.g. "routes".
	Kind string
	// Collection is the key the record was listed under (== Kind).
	Collection string
	// Index is the record's position in its collection array.
	Index int
	// Fields are the record's fields as written (nested child collections,
	// _comment and _ignore removed). References are as written: an
	// endpoint key or id string, or {"id": ...}.
	Fields map[string]any
	// Parent is the entity this one is nested under, and ParentField the
	// foreign field the nesting sets ("service" for services[].routes[]).
	Parent      *Entity
	ParentField string
	// Path is "services[0].routes[1]"; File and Line locate the record.
	Path string
	File string
	Line int

	endpointKey string
	// keySecret is set when the endpoint key is a secret (a key-auth key):
	// it is then never used to name the entity in messages.
	keySecret bool
	node      *yaml.Node
	// secrets are field paths whose value came from the environment.
	secrets []string
}

// Load reads and parses files; "-" reads stdin.
func Load(reg *schema.Registry, paths []string, opts ParseOptions) (*File, error) {
	var sources []Source
	for _, p := range paths {
		var data []byte
		var err error
		if p == "-" {
			data, err = io.ReadAll(os.Stdin)
		} else {
			data, err = os.ReadFile(p)
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", p, err)
		}
		sources = append(sources, Source{Name: p, Data: data})
	}
	return Parse(reg, sources, opts)
}

// Parse parses one or more documents into a File. Several documents are
// merged (collections concatenated); they must agree on _format_version,
// _transform and _info.select_tags. Every problem found is returned at
// once, as Errors.
func Parse(reg *schema.Registry, sources []Source, opts ParseOptions) (*File, error) {
	if len(sources) == 0 {
		return nil, Errors{{Message: "expected a declarative configuration"}}
	}
	f := &File{Transform: true}
	p := &parser{reg: reg, file: f, nesting: nestingOf(reg)}
	var hashes [][]byte
	for i, src := range sources {
		canon, ok := p.source(src, opts, i == 0)
		if ok {
			hashes = append(hashes, canon)
		}
	}
	if len(p.errs) == 0 {
		p.mergeSelectTags(opts.SelectTags)
	}
	if err := p.errs.errorsOrNil(); err != nil {
		return nil, err
	}
	sum := md5.Sum(bytes.Join(hashes, []byte{'\n'}))
	f.Hash = hex.EncodeToString(sum[:])
	return f, nil
}

// parser holds the state of one Parse call.
type parser struct {
	reg      *schema.Registry
	file     *File
	nesting  map[string][]nested
	errs     Errors
	fileTags [][]string // _info.select_tags of each source that has them
	sawTags  []string   // names of those sources
}

// nested is a child collection allowed inside a parent record.
type nested struct {
	kind  string // child entity name, also its key inside the parent
	field string // the child's foreign field pointing at the parent
}

// nestingOf derives Kong's nesting rules from the schemas: every entity
// with a foreign key to P can be listed inside P's records under its own
// name (services[].routes[], consumers[].keyauth_credentials[], ...).
func nestingOf(reg *schema.Registry) map[string][]nested {
	out := map[string][]nested{}
	for _, e := range reg.All() {
		for _, f := range e.ForeignFields() {
			if reg.Get(f.Reference) != nil {
				out[f.Reference] = append(out[f.Reference], nested{kind: e.Name, field: f.Name})
			}
		}
	}
	return out
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

// source parses one document and returns its canonical JSON for hashing.
func (p *parser) source(src Source, opts ParseOptions, first bool) ([]byte, bool) {
	var root yaml.Node
	if err := yaml.Unmarshal(src.Data, &root); err != nil {
		return p.jsonFallback(src, opts, first, err)
	}
	return p.document(src.Name, &root, opts, first, nodeBudget(len(src.Data)))
}

// jsonFallback retries documents YAML refuses (JSON indented with tabs)
// with encoding/json; line numbers are then unknown.
func (p *parser) jsonFallback(src Source, opts ParseOptions, first bool, yamlErr error) ([]byte, bool) {
	trimmed := bytes.TrimSpace(src.Data)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var v any
		if json.Unmarshal(trimmed, &v) == nil {
			var n yaml.Node
			if err := n.Encode(v); err == nil {
				return p.document(src.Name, &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{&n}}, opts, first,
					nodeBudget(len(src.Data)))
			}
		}
	}
	line := 0
	if m := yamlLine.FindStringSubmatch(yamlErr.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
	}
	p.errs = append(p.errs, Error{File: src.Name, Line: line,
		Message: "failed parsing declarative configuration: " + strings.TrimPrefix(yamlErr.Error(), "yaml: ")})
	return nil, false
}

func (p *parser) document(name string, root *yaml.Node, opts ParseOptions, first bool, budget int) ([]byte, bool) {
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		p.errs = append(p.errs, Error{File: name, Line: root.Line, Message: "expected a declarative configuration (a map with _format_version and entity collections)"})
		return nil, false
	}
	conv := &converter{file: name, env: opts.Env, budget: budget}
	value, _ := conv.value(root, "").(map[string]any)
	p.errs = append(p.errs, conv.errs...)
	if len(conv.errs) > 0 {
		return nil, false
	}
	for v := range conv.masked {
		if p.file.masked == nil {
			p.file.masked = map[string]bool{}
		}
		p.file.masked[v] = true
	}
	canon, _ := json.Marshal(value)
	p.meta(name, root, value, first)
	for _, e := range p.reg.All() {
		if list, ok := value[e.Name]; ok {
			p.collection(name, e.Name, list, lookupNode(root, []string{e.Name}), nil, "", "", e.Name, conv.secrets)
		}
	}
	return canon, true
}

// meta reads the underscore keys and rejects unknown top-level keys.
func (p *parser) meta(name string, root *yaml.Node, value map[string]any, first bool) {
	at := func(key string) int { return lookupNode(root, []string{key}).Line }
	fail := func(key, msg string) {
		p.errs = append(p.errs, Error{File: name, Line: at(key), Field: key, Message: msg})
	}
	for _, k := range sortedKeys(value) {
		v := value[k]
		switch k {
		case "_format_version":
			p.formatVersion(v, first, func(msg string) { fail(k, msg) })
		case "_transform":
			b, ok := v.(bool)
			if !ok {
				fail(k, "expected a boolean")
				continue
			}
			if !first && b != p.file.Transform {
				fail(k, "every file must use the same _transform")
			}
			p.file.Transform = b
		case "_comment":
			if _, ok := v.(string); !ok {
				fail(k, "expected a string")
			}
		case "_ignore":
			if _, ok := v.([]any); !ok {
				fail(k, "expected an array")
			}
		case "_info":
			p.info(name, v, func(field, msg string) { fail(joinPath(k, field), msg) })
		case "_workspace":
			fail(k, "workspaces are a Kong Enterprise feature; gatewayd has one configuration")
		default:
			if p.reg.Get(k) == nil {
				fail(k, "unknown field")
			}
		}
	}
	if _, ok := value["_format_version"]; !ok {
		p.errs = append(p.errs, Error{File: name, Line: root.Line, Field: "_format_version", Message: "required field missing"})
	}
}

func (p *parser) formatVersion(v any, first bool, fail func(string)) {
	s, ok := v.(string)
	if !ok {
		if n, isNum := v.(float64); isNum {
			fail(fmt.Sprintf("expected a string (write it quoted: \"%.1f\")", n))
			return
		}
		fail("expected a string")
		return
	}
	if !slices.Contains(FormatVersions, s) {
		fail("expected one of: " + strings.Join(FormatVersions, ", "))
		return
	}
	if !first && p.file.FormatVersion != "" && s != p.file.FormatVersion {
		fail(fmt.Sprintf("every file must use the same _format_version (%q and %q)", p.file.FormatVersion, s))
		return
	}
	p.file.FormatVersion = s
}

// info reads decK's _info block.
func (p *parser) info(name string, v any, fail func(field, msg string)) {
	m, ok := v.(map[string]any)
	if !ok {
		fail("", "expected a record")
		return
	}
	for _, k := range sortedKeys(m) {
		switch k {
		case "select_tags":
			tags, ok := stringList(m[k])
			if !ok {
				fail(k, "expected an array of strings")
				continue
			}
			p.fileTags = append(p.fileTags, tags)
			p.sawTags = append(p.sawTags, name)
		case "default_lookup_tags":
			// References to entities outside the file are looked up on the
			// node by endpoint key whatever their tags, so these are
			// accepted and not needed.
		default:
			fail(k, "unknown field (supported: select_tags, default_lookup_tags)")
		}
	}
}

// mergeSelectTags applies decK's rules: every file that has
// _info.select_tags must have the same ones, and the command line's must
// match them when both are given.
func (p *parser) mergeSelectTags(cli []string) {
	var fileTags []string
	for i, tags := range p.fileTags {
		if i > 0 && !sameStrings(tags, p.fileTags[0]) {
			p.errs = append(p.errs, Error{File: p.sawTags[i], Field: "_info.select_tags",
				Message: fmt.Sprintf("%v differs from %v in %s; files synced together must share their select tags", tags, p.fileTags[0], p.sawTags[0])})
			return
		}
		fileTags = tags
	}
	switch {
	case len(cli) > 0 && len(fileTags) > 0 && !sameStrings(cli, fileTags):
		p.errs = append(p.errs, Error{File: p.sawTags[0], Field: "_info.select_tags",
			Message: fmt.Sprintf("the file selects %v but --select-tag gives %v; they must match", fileTags, cli)})
	case len(cli) > 0:
		p.file.SelectTags = dedupeStrings(cli)
	default:
		p.file.SelectTags = dedupeStrings(fileTags)
	}
	if len(p.file.SelectTags) > 5 {
		p.errs = append(p.errs, Error{Field: "select_tags", Message: "at most 5 select tags can be used (Kong's tag filter limit)"})
	}
	for _, t := range p.file.SelectTags {
		if msg := schema.ValidateTag(t); msg != "" || t == "" {
			p.errs = append(p.errs, Error{Field: "select_tags", Message: fmt.Sprintf("invalid tag %q", t)})
		}
	}
}

// collection parses the records of one entity collection.
func (p *parser) collection(file, kind string, list any, listNode *yaml.Node, parent *Entity, parentField, pathPrefix, absPrefix string, secrets []string) {
	items, ok := list.([]any)
	if !ok {
		err := Error{File: file, Line: listNode.Line, Field: kind, Message: "expected an array"}
		if parent != nil {
			err = entityError(parent, kind, "expected an array")
		}
		p.errs = append(p.errs, err)
		return
	}
	for i, item := range items {
		node := lookupNode(listNode, []string{strconv.Itoa(i)})
		if s, isStr := item.(string); isStr && kind == "snis" && parent != nil {
			item = map[string]any{"name": s} // certificates[].snis may list names
		}
		rec, isMap := item.(map[string]any)
		path := pathPrefix + kind + "[" + strconv.Itoa(i) + "]"
		abs := absPrefix + "." + strconv.Itoa(i)
		e := &Entity{Kind: kind, Collection: kind, Index: i, Parent: parent, ParentField: parentField, Path: path,
			File: file, Line: node.Line, node: node, Fields: map[string]any{}}
		if def := p.reg.Get(kind); def != nil {
			e.endpointKey = def.EndpointKey
			if f := def.Field(def.EndpointKey); f != nil && f.Sensitive {
				e.keySecret = true
			}
		}
		if !isMap {
			p.errs = append(p.errs, entityError(e, "", "expected a record"))
			continue
		}
		p.entity(e, rec, abs, secrets)
	}
}

// entity fills one record's fields and recurses into nested collections.
func (p *parser) entity(e *Entity, rec map[string]any, abs string, secrets []string) {
	children := p.nesting[e.Kind]
	isChild := func(k string) (nested, bool) {
		for _, c := range children {
			if c.kind == k {
				return c, true
			}
		}
		return nested{}, false
	}
	for k, v := range rec {
		switch {
		case k == "_comment":
			if _, ok := v.(string); !ok {
				p.errs = append(p.errs, entityError(e, k, "expected a string"))
			}
		case k == "_ignore":
			if _, ok := v.([]any); !ok {
				p.errs = append(p.errs, entityError(e, k, "expected an array"))
			}
		default:
			if _, nestedKey := isChild(k); !nestedKey {
				e.Fields[k] = v
			}
		}
	}
	for _, s := range secrets {
		if rel, ok := strings.CutPrefix(s, abs+"."); ok {
			e.secrets = append(e.secrets, rel)
		}
	}
	if e.Parent != nil {
		if v, set := e.Fields[e.ParentField]; set && v != nil {
			p.errs = append(p.errs, entityError(e, e.ParentField,
				fmt.Sprintf("value must be null (this %s is nested under its %s)", singular(e.Kind), singular(e.Parent.Kind))))
		}
	}
	if e.Kind == "routes" && p.file.FormatVersion != "" && p.file.FormatVersion != CurrentFormat {
		migrateRoutePaths(e.Fields)
	}
	p.file.Entities = append(p.file.Entities, e)
	for _, c := range children {
		list, ok := rec[c.kind]
		if !ok {
			continue
		}
		listNode := lookupNode(e.node, []string{c.kind})
		p.collection(e.File, c.kind, list, listNode, e, c.field, e.Path+".", abs+"."+c.kind, secrets)
	}
}

// lineOf returns the line of a field of the entity (the record's line for
// "" or a field not written).
func (e *Entity) lineOf(field string) int {
	if e.node == nil {
		return e.Line
	}
	if field == "" {
		return e.node.Line
	}
	return lookupNode(e.node, fieldSegments(field)).Line
}

// Key returns the entity's endpoint key value as written ("" if none).
func (e *Entity) Key() string {
	if e.endpointKey == "" {
		return ""
	}
	s, _ := e.Fields[e.endpointKey].(string)
	return s
}

// displayKey names the entity for humans: its endpoint key, a plugin's
// name, or its id.
func (e *Entity) displayKey() string {
	if k := e.Key(); k != "" && !e.keySecret {
		return k
	}
	if e.Kind == "plugins" {
		if n, ok := e.Fields["name"].(string); ok {
			return n
		}
	}
	if id, ok := e.Fields["id"].(string); ok {
		return id
	}
	return ""
}

// NamePath locates the entity by endpoint keys: "services.svc1.routes.r1";
// a record without a key is shown by position ("routes[2]").
func (e *Entity) NamePath() string {
	seg := e.Collection + "[" + strconv.Itoa(e.Index) + "]"
	if k := e.displayKey(); k != "" {
		seg = e.Collection + "." + k
	}
	if e.Parent != nil {
		return e.Parent.NamePath() + "." + seg
	}
	return seg
}

// IsSecret reports whether a field's value came from the environment (and
// must be masked in output). Sub-fields of such a field are secret too.
func (e *Entity) IsSecret(field string) bool {
	for _, s := range e.secrets {
		if s == field || strings.HasPrefix(s, field+".") || strings.HasPrefix(field, s+".") {
			return true
		}
	}
	return false
}

// IsMasked reports whether a string is a value substituted from the
// environment anywhere in the file.
func (f *File) IsMasked(s string) bool { return f.masked[s] }

func stringList(v any) ([]string, bool) {
	list, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(list))
	for _, x := range list {
		s, ok := x.(string)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

func sameStrings(a, b []string) bool {
	a, b = dedupeStrings(a), dedupeStrings(b)
	sort.Strings(a)
	sort.Strings(b)
	return slices.Equal(a, b)
}

func dedupeStrings(in []string) []string {
	var out []string
	for _, s := range in {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

package mapr

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path"
	"strings"
	"time"
	"unicode"
)

// State is the desired presence of a license.
type State string

const (
	StatePresent State = "present"
	StateAbsent  State = "absent"
)

// Defaults for where MapR lives on a node.
const (
	DefaultMaprcli     = "/opt/mapr/bin/maprcli"
	DefaultUploadDir   = "/tmp"
	DefaultConfDir     = "/opt/mapr/conf"
	DefaultConfigureSh = "/opt/mapr/server/configure.sh"
)

// LicenseSpec is the desired state of one MapR license.
//
// Identity rule: a license is the same license when its text, with every
// whitespace character removed, has the same SHA-256 (LicenseState.SHA256).
// Whitespace-insensitive because the text travels through files, YAML, HCL
// and maprcli's JSON, each of which may rewrap or re-terminate lines; the
// signed content itself never changes. maprcli's own id is reported and
// accepted for removal, but it cannot identify content that is not
// installed yet.
type LicenseSpec struct {
	// Path is a license file on the machine running this library (like
	// Ansible's src); Content is the license text itself. Give one of them
	// for state present; for absent, either or ID.
	Path    string
	Content string
	// ID removes the license with this MapR id (state absent only).
	ID string
	// State defaults to present.
	State State
	// Cluster is passed as maprcli's -cluster when set.
	Cluster string
	// MaprcliPath defaults to /opt/mapr/bin/maprcli.
	MaprcliPath string
	// UploadDir on the node receives the license file while maprcli reads
	// it (mode 0600, owned by the SSH user; removed afterwards). Default
	// /tmp. With Become.SudoUser set to a user other than root, that user
	// must be able to read files there: connect as that user instead.
	UploadDir string
	// Env is extra environment for maprcli, such as
	// MAPR_TICKETFILE_LOCATION on a secure cluster.
	Env    map[string]string
	Become Become
	// CheckMode reports what would change without uploading or running
	// anything that writes (maprcli license list still runs).
	CheckMode bool
	// CommandTimeout bounds each command; zero uses the executor's default.
	CommandTimeout time.Duration
}

// LicenseState describes a license as installed (After) or as found before
// the change (Before).
type LicenseState struct {
	Present     bool
	ID          string
	Description string
	// SHA256 is the identity hash of the license text (see LicenseSpec).
	SHA256 string
}

// Validate checks the spec without touching the node.
func (s LicenseSpec) Validate() error {
	state := s.state()
	switch {
	case state != StatePresent && state != StateAbsent:
		return fmt.Errorf("license: state %q is not present or absent", s.State)
	case s.Path != "" && s.Content != "":
		return errors.New("license: give path or content, not both")
	case state == StatePresent && s.Path == "" && strings.TrimSpace(s.Content) == "":
		return errors.New("license: state present needs the license: path or content")
	case state == StatePresent && s.ID != "":
		return errors.New("license: id selects a license to remove; with state present the content identifies it")
	case state == StateAbsent && s.Path == "" && s.Content == "" && s.ID == "":
		return errors.New("license: state absent needs path, content or id")
	case s.UploadDir != "" && !path.IsAbs(s.UploadDir):
		return fmt.Errorf("license: upload_dir %q must be an absolute path", s.UploadDir)
	}
	return nil
}

func (s LicenseSpec) state() State {
	if s.State == "" {
		return StatePresent
	}
	return s.State
}

func (s LicenseSpec) maprcli() string { return orDefault(s.MaprcliPath, DefaultMaprcli) }

func (s LicenseSpec) uploadDir() string { return orDefault(s.UploadDir, DefaultUploadDir) }

// text returns the license text from Content or the local file Path.
func (s LicenseSpec) text() (string, error) {
	if s.Path == "" {
		return s.Content, nil
	}
	b, err := os.ReadFile(s.Path)
	if err != nil {
		return "", fmt.Errorf("license: reading %s: %w", s.Path, err)
	}
	if strings.TrimSpace(string(b)) == "" {
		return "", fmt.Errorf("license: %s is empty", s.Path)
	}
	return string(b), nil
}

// LicenseHash is the identity hash of a license text: SHA-256 of the text
// with all whitespace removed.
func LicenseHash(text string) string {
	compact := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, text)
	return sha256Hex([]byte(compact))
}

// EnsureLicense makes the cluster have (or not have) the license: it lists
// the installed licenses first and only adds or removes when needed, then
// lists again to verify. Running it twice changes nothing the second time.
func EnsureLicense(ctx context.Context, exec Executor, spec LicenseSpec) (Result[LicenseState], error) {
	var res Result[LicenseState]
	if err := spec.Validate(); err != nil {
		return res, err
	}
	text, hash := "", ""
	if spec.Path != "" || spec.Content != "" {
		var err error
		if text, err = spec.text(); err != nil {
			return res, err
		}
		hash = LicenseHash(text)
	}
	cli := maprcli{node: node{exec: exec, become: spec.Become, env: spec.Env, timeout: spec.CommandTimeout},
		path: spec.maprcli(), cluster: spec.Cluster}
	installed, err := cli.listLicenses(ctx)
	if err != nil {
		return res, err
	}
	current, found := findLicense(installed, hash, spec.ID)
	res.Before = licenseState(current, found, hash)
	res.After = res.Before
	if spec.state() == StateAbsent {
		return removeLicense(ctx, cli, spec, current, found, res)
	}
	return addLicense(ctx, cli, spec, text, hash, found, res)
}

// ListLicenses returns the cluster's licenses (maprcli license list -json),
// for reads and imports; only the maprcli settings of spec are used.
func ListLicenses(ctx context.Context, exec Executor, spec LicenseSpec) ([]License, error) {
	cli := maprcli{node: node{exec: exec, become: spec.Become, env: spec.Env, timeout: spec.CommandTimeout},
		path: spec.maprcli(), cluster: spec.Cluster}
	return cli.listLicenses(ctx)
}

func addLicense(ctx context.Context, cli maprcli, spec LicenseSpec, text, hash string, found bool, res Result[LicenseState]) (Result[LicenseState], error) {
	if found {
		res.logf("license %s is already installed (id %s); nothing to do", short(hash), res.Before.ID)
		return res, nil
	}
	res.Changed = true
	res.After = LicenseState{Present: true, SHA256: hash}
	if spec.CheckMode {
		res.logf("would upload the license to %s and run maprcli license add (check mode)", spec.uploadDir())
		return res, nil
	}
	if err := cli.addLicense(ctx, spec.uploadDir(), text); err != nil {
		return res, err
	}
	installed, err := cli.listLicenses(ctx)
	if err != nil {
		return res, fmt.Errorf("license: verifying after add: %w", err)
	}
	lic, ok := findLicense(installed, hash, "")
	if !ok {
		return res, fmt.Errorf("license: maprcli license add reported success but license %s is not in maprcli license list", short(hash))
	}
	res.After = licenseState(lic, true, hash)
	res.logf("added license %s (id %s)", short(hash), lic.ID)
	return res, nil
}

func removeLicense(ctx context.Context, cli maprcli, spec LicenseSpec, current License, found bool, res Result[LicenseState]) (Result[LicenseState], error) {
	if !found {
		res.logf("license is not installed; nothing to do")
		return res, nil
	}
	if !current.Deletable {
		return res, fmt.Errorf("license: %s (id %s) is marked not deletable by MapR and cannot be removed",
			current.Description, current.ID)
	}
	res.Changed = true
	res.After = LicenseState{}
	if spec.CheckMode {
		res.logf("would run maprcli license remove -license_id %s (check mode)", current.ID)
		return res, nil
	}
	if err := cli.removeLicense(ctx, current.ID); err != nil {
		return res, err
	}
	installed, err := cli.listLicenses(ctx)
	if err != nil {
		return res, fmt.Errorf("license: verifying after remove: %w", err)
	}
	if _, still := findLicense(installed, "", current.ID); still {
		return res, fmt.Errorf("license: maprcli license remove reported success but id %s is still listed", current.ID)
	}
	res.logf("removed license id %s", current.ID)
	return res, nil
}

// findLicense picks the installed license with the identity hash, or with
// the MapR id.
func findLicense(installed []License, hash, id string) (License, bool) {
	for _, l := range installed {
		if hash != "" && l.Text != "" && LicenseHash(l.Text) == hash {
			return l, true
		}
		if id != "" && l.ID == id {
			return l, true
		}
	}
	return License{}, false
}

func licenseState(l License, found bool, hash string) LicenseState {
	if !found {
		return LicenseState{}
	}
	if l.Text != "" {
		hash = LicenseHash(l.Text)
	}
	return LicenseState{Present: true, ID: l.ID, Description: l.Description, SHA256: hash}
}

func short(hash string) string {
	if len(hash) > 12 {
		return "sha256:" + hash[:12]
	}
	return "sha256:" + hash
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// maprcli runs maprcli commands with -json and turns failures into
// *MaprcliError carrying maprcli's own message.
type maprcli struct {
	node    node
	path    string
	cluster string
}

func (m maprcli) run(ctx context.Context, args ...string) (*Envelope, error) {
	if m.cluster != "" {
		args = append(args, "-cluster", m.cluster)
	}
	c := m.node.command(m.path, append(args, "-json")...)
	out, err := m.node.exec.Run(ctx, c)
	if err != nil {
		return nil, err
	}
	env, perr := ParseEnvelope(out.Stdout)
	switch {
	case perr == nil && env.OK() && out.ExitCode == 0:
		return env, nil
	case perr == nil:
		return nil, &MaprcliError{Command: c.String(), ExitCode: out.ExitCode, Errors: env.Errors,
			Output: firstLines(out.Stderr, 5)}
	case out.ExitCode != 0:
		msg := firstLines(out.Stderr, 5)
		if msg == "" {
			msg = firstLines(out.Stdout, 5)
		}
		return nil, &MaprcliError{Command: c.String(), ExitCode: out.ExitCode, Output: msg}
	}
	return nil, fmt.Errorf("%s: unreadable output: %w", c, perr)
}

func (m maprcli) listLicenses(ctx context.Context) ([]License, error) {
	env, err := m.run(ctx, "license", "list")
	if err != nil {
		return nil, err
	}
	return licensesOf(env)
}

// addLicense uploads the text to a fresh file in dir, has maprcli read it,
// and removes the file whatever happened.
func (m maprcli) addLicense(ctx context.Context, dir, text string) error {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return err
	}
	file := path.Join(dir, "gatewayd-mapr-license-"+hex.EncodeToString(b[:])+".txt")
	if _, err := m.node.exec.Upload(ctx, file, []byte(text), DefaultFileMode); err != nil {
		return fmt.Errorf("license: uploading: %w", err)
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
		_ = m.node.exec.Remove(cctx, file)
	}()
	_, err := m.run(ctx, "license", "add", "-is_file", "true", "-license", file)
	return err
}

func (m maprcli) removeLicense(ctx context.Context, id string) error {
	_, err := m.run(ctx, "license", "remove", "-license_id", id)
	return err
}

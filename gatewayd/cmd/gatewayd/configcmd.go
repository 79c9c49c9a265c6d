package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/declarative"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// exitError carries a process exit code other than 1 (diff's 2 means
// "there are changes", which is not a failure).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}

// adminFlags are the flags every command talking to an Admin API shares.
type adminFlags struct {
	url, token  string
	parallelism int
}

func (a *adminFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&a.url, "admin-url", "", "Admin API URL (env "+api.EnvAdminURL+", default "+api.DefaultAdminURL+")")
	cmd.Flags().StringVar(&a.token, "admin-token", "", "Admin API bearer token (env "+api.EnvAdminToken+")")
	cmd.Flags().IntVar(&a.parallelism, "parallelism", declarative.DefaultParallelism, "maximum concurrent Admin API requests")
}

func (a *adminFlags) client() (*api.Client, error) {
	return api.New(api.Config{AdminURL: a.url, Token: a.token, UserAgent: "gatewayd-config/" + Version}.FromEnv())
}

// stateFlags are -s/--state files and --select-tag.
type stateFlags struct {
	files []string
	tags  []string
}

func (s *stateFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringArrayVarP(&s.files, "state", "s", nil, "declarative file(s) to read, YAML or JSON (repeatable; \"-\" reads stdin; default kong.yaml)")
	cmd.Flags().StringArrayVar(&s.tags, "select-tag", nil, "only entities carrying this tag (repeatable; all must match); added to every entity of the file")
}

// load reads the files given with -s or as arguments.
func (s *stateFlags) load(args []string, reg *schema.Registry) (*declarative.File, error) {
	files := append(append([]string(nil), s.files...), args...)
	if len(files) == 0 {
		files = []string{"kong.yaml"}
	}
	return declarative.Load(reg, files, declarative.ParseOptions{Env: os.LookupEnv, SelectTags: s.tags})
}

// localRegistry is every schema this gatewayd knows: core entities and
// all bundled plugins, the same the Admin API validates with.
func localRegistry() (*schema.Registry, error) { return declarative.Registry([]string{"bundled"}) }

func configCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Declarative configuration: dump, diff, sync, validate, reset (decK-compatible files)",
		Long: `Manage a gateway's whole configuration from Kong's declarative format
(kong.yaml: _format_version "3.0", nested or flat entities, ${{ env "DECK_X" }}
secrets). The commands talk to any Kong-compatible Admin API — gatewayd or a
Kong 3.x node — given by --admin-url or GATEWAYD_ADMIN_URL.

  gatewayd config dump -o kong.yaml            export (defaults left out)
  gatewayd config validate -s kong.yaml        check offline (--online: against the node)
  gatewayd config diff -s kong.yaml            show changes; exit 0 none, 2 changes, 1 error
  gatewayd config sync -s kong.yaml            apply: create, update and delete
  gatewayd config reset --yes                  delete everything (within --select-tag)`,
	}
	cmd.AddCommand(configDumpCmd(), configDiffCmd(), configSyncCmd(), configValidateCmd(), configResetCmd())
	return cmd
}

func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
}

func configDumpCmd() *cobra.Command {
	var a adminFlags
	var tags []string
	var output, format string
	var withID bool
	cmd := &cobra.Command{
		Use:   "dump",
		Short: "Export the node's configuration as a declarative file",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			reg, err := localRegistry()
			if err != nil {
				return err
			}
			c, err := a.client()
			if err != nil {
				return err
			}
			ctx, cancel := signalContext()
			defer cancel()
			doc, err := declarative.Dump(ctx, c, declarative.DumpOptions{Registry: reg, SelectTags: tags, WithID: withID,
				Parallelism: a.parallelism})
			if err != nil {
				return err
			}
			data, err := declarative.Encode(doc, format)
			if err != nil {
				return err
			}
			return writeOutput(output, data)
		},
	}
	a.register(cmd)
	cmd.Flags().StringArrayVar(&tags, "select-tag", nil, "only entities carrying this tag (repeatable; written to _info.select_tags)")
	cmd.Flags().StringVarP(&output, "output-file", "o", "-", "file to write (\"-\" = stdout)")
	cmd.Flags().StringVar(&format, "format", declarative.FormatYAML, "output format: yaml or json")
	cmd.Flags().BoolVar(&withID, "with-id", false, "keep every entity's id")
	return cmd
}

// writeOutput writes to stdout or atomically to a file (0600: dumps hold
// credentials).
func writeOutput(path string, data []byte) error {
	if path == "-" || path == "" {
		_, err := os.Stdout.Write(data)
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func configDiffCmd() *cobra.Command {
	var a adminFlags
	var s stateFlags
	var noDeletes bool
	cmd := &cobra.Command{
		Use:   "diff [file...]",
		Short: "Show what sync would change; exit code 0 = no changes, 2 = changes, 1 = error",
		RunE: func(cmd *cobra.Command, args []string) error {
			res, err := runSync(args, a, s, noDeletes, true)
			if err != nil {
				return err
			}
			if err := res.WriteText(os.Stdout); err != nil {
				return err
			}
			fmt.Println("Summary:", res.Summary())
			if res.Changed() {
				return &exitError{code: 2}
			}
			return nil
		},
	}
	a.register(cmd)
	s.register(cmd)
	cmd.Flags().BoolVar(&noDeletes, "no-deletes", false, "plan as sync --no-deletes would (no deletions)")
	return cmd
}

func configSyncCmd() *cobra.Command {
	var a adminFlags
	var s stateFlags
	var noDeletes bool
	cmd := &cobra.Command{
		Use:   "sync [file...]",
		Short: "Make the node match the file(s): create, update and delete (within --select-tag)",
		Long: `Make the node match the file(s). Everything is validated before the first write;
creates and updates run parents first, deletes children first, in parallel within
each entity type. Entities without every select tag are never touched.
--no-deletes applies the file without deleting anything (decK's "apply").`,
		RunE: func(cmd *cobra.Command, args []string) error {
			res, err := runSync(args, a, s, noDeletes, false)
			if res != nil {
				fmt.Println(res.Summary())
			}
			return err
		},
	}
	a.register(cmd)
	s.register(cmd)
	cmd.Flags().BoolVar(&noDeletes, "no-deletes", false, "create and update only; never delete")
	return cmd
}

// runSync parses, validates and syncs (or diffs).
func runSync(args []string, a adminFlags, s stateFlags, noDeletes, dryRun bool) (*declarative.Result, error) {
	reg, err := localRegistry()
	if err != nil {
		return nil, err
	}
	f, err := s.load(args, reg)
	if err != nil {
		return nil, err
	}
	c, err := a.client()
	if err != nil {
		return nil, err
	}
	ctx, cancel := signalContext()
	defer cancel()
	opts := declarative.SyncOptions{Registry: reg, NoDeletes: noDeletes, Parallelism: a.parallelism, DryRun: dryRun}
	if !dryRun {
		opts.Progress = progressReporter(os.Stderr, os.Stdout)
	}
	return declarative.Sync(ctx, c, f, opts)
}

// progressReporter shows a progress bar when w is a terminal, else one
// line per applied change on out (logs and CI keep a record).
func progressReporter(w *os.File, out io.Writer) func(declarative.Progress) {
	var bar *progressbar.ProgressBar
	tty := isTerminal(w)
	return func(p declarative.Progress) {
		if !tty {
			if p.Err == nil {
				fmt.Fprintln(out, p.Change.String())
			}
			return
		}
		if bar == nil {
			bar = progressbar.NewOptions(p.Total, progressbar.OptionSetWriter(w), progressbar.OptionSetDescription("syncing"),
				progressbar.OptionShowCount(), progressbar.OptionClearOnFinish(), progressbar.OptionThrottle(100_000_000))
		}
		_ = bar.Add(1)
	}
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func configValidateCmd() *cobra.Command {
	var a adminFlags
	var s stateFlags
	var online bool
	cmd := &cobra.Command{
		Use:   "validate [file...]",
		Short: "Validate file(s) offline with gatewayd's schemas (--online: also with the node's)",
		RunE: func(cmd *cobra.Command, args []string) error {
			reg, err := localRegistry()
			if err != nil {
				return err
			}
			f, err := s.load(args, reg)
			if err != nil {
				return err
			}
			external, err := declarative.Validate(f, reg)
			if err != nil {
				return err
			}
			if online {
				c, err := a.client()
				if err != nil {
					return err
				}
				ctx, cancel := signalContext()
				defer cancel()
				if err := declarative.ValidateOnline(ctx, c, f, reg, a.parallelism); err != nil {
					return err
				}
			} else {
				for _, x := range external {
					fmt.Fprintf(os.Stderr, "note: %s is not in the file; sync expects it on the node\n", x)
				}
			}
			fmt.Printf("configuration is valid (%d entities)\n", len(f.Entities))
			return nil
		},
	}
	a.register(cmd)
	s.register(cmd)
	cmd.Flags().BoolVar(&online, "online", false, "also validate every entity with the node's /schemas/*/validate")
	return cmd
}

func configResetCmd() *cobra.Command {
	var a adminFlags
	var tags []string
	var yes bool
	cmd := &cobra.Command{
		Use:   "reset",
		Short: "Delete every entity of the node (only those with all --select-tag tags when given)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			reg, err := localRegistry()
			if err != nil {
				return err
			}
			c, err := a.client()
			if err != nil {
				return err
			}
			ctx, cancel := signalContext()
			defer cancel()
			opts := declarative.ResetOptions{Registry: reg, SelectTags: tags, Parallelism: a.parallelism, DryRun: true}
			plan, err := declarative.Reset(ctx, c, opts)
			if err != nil {
				return err
			}
			if !plan.Changed() {
				fmt.Println("nothing to delete")
				return nil
			}
			if !yes {
				if err := confirm(fmt.Sprintf("This deletes %d entities from %s%s. Continue?", plan.Deleted, c.BaseURL(), scopeText(tags))); err != nil {
					return err
				}
			}
			opts.DryRun = false
			opts.Progress = progressReporter(os.Stderr, os.Stdout)
			res, err := declarative.Reset(ctx, c, opts)
			if res != nil {
				fmt.Println(res.Summary())
			}
			return err
		},
	}
	a.register(cmd)
	cmd.Flags().StringArrayVar(&tags, "select-tag", nil, "only delete entities carrying this tag (repeatable; all must match)")
	cmd.Flags().BoolVar(&yes, "yes", false, "do not ask for confirmation")
	return cmd
}

func scopeText(tags []string) string {
	if len(tags) == 0 {
		return ""
	}
	return " (tagged " + strings.Join(tags, ", ") + ")"
}

// confirm asks on the terminal; without one, --yes is required.
func confirm(question string) error {
	if !isTerminal(os.Stdin) {
		return errors.New("refusing to reset without confirmation: stdin is not a terminal (use --yes)")
	}
	fmt.Fprintf(os.Stderr, "%s [y/N] ", question)
	line, _ := bufio.NewReader(os.Stdin).ReadString('\n')
	if a := strings.ToLower(strings.TrimSpace(line)); a != "y" && a != "yes" {
		return errors.New("reset cancelled")
	}
	return nil
}

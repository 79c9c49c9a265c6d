package main

import (
	"fmt"
	"os"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/conf"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/entity"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store/sqlstore"
)

// loadConfig reads the configuration with the -p override applied.
func loadConfig(g globalFlags) (*conf.Config, error) {
	env := os.Environ()
	if g.prefix != "" {
		env = append(env, conf.EnvPrefix+"PREFIX="+g.prefix)
	}
	c, err := conf.Load(g.conf, env)
	if err != nil {
		return nil, err
	}
	for _, w := range c.Warnings {
		fmt.Fprintln(os.Stderr, "warning:", w)
	}
	return c, nil
}

// registry returns every entity schema gatewayd serves.
func registry() *schema.Registry {
	return entity.Core(pluginCatalog{}.lookup)
}

// storeConfig turns gatewayd.conf database settings into a store config.
func storeConfig(c *conf.Config) (sqlstore.Config, error) {
	switch c.Database {
	case "sqlite":
		return sqlstore.Config{Driver: sqlstore.DriverSQLite, Path: c.SQLitePath(),
			Options: sqlstore.Options{AutoMigrate: true}}, nil
	case "postgres":
		dsn := fmt.Sprintf("host=%s port=%d user=%s dbname=%s connect_timeout=%d",
			quoteDSN(c.PGHost), c.PGPort, quoteDSN(c.PGUser), quoteDSN(c.PGDatabase), max(1, int(c.PGTimeout.Seconds())))
		if c.PGPassword != "" {
			dsn += " password=" + quoteDSN(c.PGPassword)
		}
		if c.PGSSL {
			if c.PGSSLVerify {
				dsn += " sslmode=verify-full"
			} else {
				dsn += " sslmode=require"
			}
		} else {
			dsn += " sslmode=disable"
		}
		if c.PGSchema != "" {
			dsn += " search_path=" + quoteDSN(c.PGSchema)
		}
		return sqlstore.Config{Driver: sqlstore.DriverPostgres, DSN: dsn,
			Options: sqlstore.Options{MaxConns: c.PGPoolSize}}, nil
	}
	return sqlstore.Config{}, fmt.Errorf("database = %s is not supported yet (use sqlite or postgres)", c.Database)
}

// quoteDSN quotes a keyword=value DSN value (libpq rules).
func quoteDSN(s string) string {
	out := []byte{'\''}
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' || s[i] == '\\' {
			out = append(out, '\\')
		}
		out = append(out, s[i])
	}
	return string(append(out, '\''))
}

func metas() []store.Meta { return store.MetasFromSchemas(registry()) }

// pluginCatalog is the set of loaded plugins. The plugin SDK and bundled
// plugins come with their own issue; until then no plugin is loaded and
// the plugins entity rejects every name with Kong's "not enabled" error.
type pluginCatalog struct{}

func (pluginCatalog) lookup(string) (entity.PluginInfo, bool)         { return entity.PluginInfo{}, false }
func (pluginCatalog) Names() []string                                 { return nil }
func (pluginCatalog) Describe(string) (map[string]any, bool)          { return nil, false }
func (pluginCatalog) Meta(string) (version string, prio int, ok bool) { return "", 0, false }

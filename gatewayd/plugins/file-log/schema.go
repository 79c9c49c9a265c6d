package filelog

import (
	"strings"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// msgLuaUnsupported rejects Lua snippets: gatewayd runs no Lua.
const msgLuaUnsupported = "custom_fields_by_lua is not supported: gatewayd does not run Lua code; leave it null or empty"

// configFields is file-log's config record (kong/plugins/file-log/
// schema.lua, Kong 3.9).
func configFields() []*schema.Field {
	return []*schema.Field{
		{Name: "path", Kind: schema.String, Required: true,
			MatchAll: []schema.Pattern{{Desc: "^[^*&%%\\`]+$", Test: validFilename, Err: "not a valid filename"}},
			Description: "The file path of the output log file. The plugin creates the log file if it doesn't exist " +
				"yet. Make sure gatewayd has write permissions to this file."},
		{Name: "reopen", Kind: schema.Boolean, Required: true, Default: false,
			Description: "Determines whether the log file is closed and reopened on every write. If the file is not " +
				"reopened, and has been removed or rotated, the plugin keeps writing to the stale file descriptor."},
		luaCode(),
	}
}

// validFilename is Kong's pattern ^[^*&%\`]+$: no *, &, % or backquote.
func validFilename(s string) bool {
	return s != "" && !strings.ContainsAny(s, "*&%`")
}

// luaCode is typedefs.lua_code, accepted for configuration compatibility
// but only when null or empty.
func luaCode() *schema.Field {
	return &schema.Field{Name: "custom_fields_by_lua", Kind: schema.Map,
		Keys:   &schema.Field{Kind: schema.String, LenMin: 1},
		Values: &schema.Field{Kind: schema.String, LenMin: 1},
		Custom: func(v any) string {
			if m, ok := v.(map[string]any); ok && len(m) > 0 {
				return msgLuaUnsupported
			}
			return ""
		},
		Description: "Lua code computing extra log fields, in Kong. gatewayd runs no Lua: the field is accepted " +
			"only when null or empty."}
}

package gatewayd

import (
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

// kind is the Terraform shape of one entity field.
type kind int

const (
	kString     kind = iota
	kInt             // integer
	kFloat           // number
	kBool            //
	kStringSet       // Kong "set" of strings: order is irrelevant
	kStringList      // Kong "array" of strings: order is kept
	kIntList         // Kong "array" of integers
	kHeaderMap       // map of header name to a list of values
	kObject          // Kong "record": one nested object
	kObjectSet       // Kong "set" of records
	kForeign         // Kong "foreign": an id in Terraform, {"id": ...} on the wire
)

// field declares one attribute of an entity resource. The same declaration
// drives the resource schema, the data source schema, the request body
// and the state written from an Admin API answer, so the four can not
// disagree.
type field struct {
	// attr is the Terraform attribute name; api the Admin API field
	// ("" means the same). A foreign key "service" is the attribute
	// "service_id".
	attr string
	api  string
	kind kind
	desc string

	// required: the user must set it. def: the server default (an Admin
	// API JSON value), planned when the attribute is not configured.
	// computed: the server may fill it in (auto values, defaults that
	// depend on other fields); the prior state is kept unless one of
	// dependsOn changes. readOnly: never set by the user (id, timestamps).
	required bool
	def      any
	computed bool
	readOnly bool
	// volatile: a read-only value every write changes (updated_at), so
	// it is unknown in every plan that updates the entity.
	volatile  bool
	dependsOn []string
	// replace: the Admin API can not move the entity (a credential's
	// consumer, a target's upstream), so a change means a new entity.
	replace bool

	// sensitive hides the value in plans and output. secret selects how
	// Read treats what the server sends back; writeOnly adds the
	// <attr>_wo and <attr>_wo_version attributes (Terraform >= 1.11).
	sensitive bool
	secret    secretMode
	writeOnly bool

	// Validation, mirroring the entity schema: enumerations, ranges,
	// string patterns.
	oneOf      []string
	between    *[2]int64
	intOneOf   []int64
	pattern    string
	patternMsg string
	minItems   int

	// strType replaces the plain string type for values the server
	// normalizes (targets gain a port, PEM blocks lose trailing space).
	strType basetypes.StringTypable

	// fields are the attributes of a kObject or kObjectSet.
	fields []field
}

// secretMode says how the value the server sends back for a secret is
// compared with the one in state.
type secretMode int

const (
	secretNone secretMode = iota
	// secretPlain: the server returns the secret as written.
	secretPlain
	// secretHashed: the server returns Kong's basic-auth hash (hex SHA-1
	// of the password followed by the consumer id).
	secretHashed
)

func (f field) apiName() string {
	if f.api != "" {
		return f.api
	}
	return f.attr
}

func (f field) woAttr() string        { return f.attr + "_wo" }
func (f field) woVersionAttr() string { return f.attr + "_wo_version" }

// optional reports whether the user may set the attribute.
func (f field) optional() bool { return !f.required && !f.readOnly }

// hasServerValue reports whether Terraform must accept the server's value
// when the attribute is not configured (Optional+Computed).
func (f field) hasServerValue() bool { return f.def != nil || f.computed || f.readOnly }

// attrType is the Terraform type of the field.
func (f field) attrType() attr.Type {
	switch f.kind {
	case kString, kForeign:
		if f.strType != nil {
			return f.strType
		}
		return types.StringType
	case kInt:
		return types.Int64Type
	case kFloat:
		return types.Float64Type
	case kBool:
		return types.BoolType
	case kStringSet:
		return types.SetType{ElemType: types.StringType}
	case kStringList:
		return types.ListType{ElemType: types.StringType}
	case kIntList:
		return types.ListType{ElemType: types.Int64Type}
	case kHeaderMap:
		return types.MapType{ElemType: types.ListType{ElemType: types.StringType}}
	case kObject:
		return types.ObjectType{AttrTypes: objectAttrTypes(f.fields)}
	case kObjectSet:
		return types.SetType{ElemType: types.ObjectType{AttrTypes: objectAttrTypes(f.fields)}}
	}
	panic("gatewayd: unknown field kind")
}

func objectAttrTypes(fields []field) map[string]attr.Type {
	out := make(map[string]attr.Type, len(fields))
	for _, f := range fields {
		out[f.attr] = f.attrType()
	}
	return out
}

// fieldByAttr finds a field by attribute name.
func fieldByAttr(fields []field, name string) (field, bool) {
	for _, f := range fields {
		if f.attr == name {
			return f, true
		}
	}
	return field{}, false
}

// fieldByAPI finds a field by Admin API name.
func fieldByAPI(fields []field, name string) (field, bool) {
	for _, f := range fields {
		if f.apiName() == name {
			return f, true
		}
	}
	return field{}, false
}

// Common fields, with the entity schemas' descriptions.

func idField() field {
	return field{attr: "id", kind: kString, readOnly: true,
		desc: "A string representing a UUID (universally unique identifier), assigned by the gateway."}
}

func createdAtField() field {
	return field{attr: "created_at", kind: kInt, readOnly: true, desc: "Unix epoch when the resource was created."}
}

func updatedAtField() field {
	return field{attr: "updated_at", kind: kInt, readOnly: true, volatile: true,
		desc: "Unix epoch when the resource was last updated."}
}

func tagsField() field {
	return field{attr: "tags", kind: kStringSet,
		pattern: `^(?:[\x20-\x2B\x2D-\x2E\x30-\x7E]|[^\x00-\x7F])+$`, patternMsg: "printable ascii (except `,` and `/`) or valid utf-8 sequences",
		desc: "An optional set of strings associated with the entity for grouping and filtering."}
}

const utf8NamePattern = `^(?:[A-Za-z0-9._~-]|[^\x00-\x7F])+$`
const utf8NameMsg = "the only accepted ascii characters are alphanumerics or ., -, _, and ~"

// protocols are every protocol Kong knows, in Kong's order.
var protocols = []string{"grpc", "grpcs", "http", "https", "tcp", "tls", "tls_passthrough", "udp"}

func rng(min, max int64) *[2]int64 { return &[2]int64{min, max} }

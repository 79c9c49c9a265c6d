package gatewayd

import "fmt"

// consumerField is the owner of a credential or ACL group. The Admin API
// can not move a credential to another consumer, so a change replaces it.
func consumerField(what string) field {
	return field{attr: "consumer_id", api: "consumer", kind: kForeign, required: true, replace: true,
		desc: fmt.Sprintf("The id of the consumer (`gatewayd_consumer`) %s. Changing it replaces the resource.", what)}
}

func credentialParent(nested, topLevel string) *parentRef {
	return &parentRef{attr: "consumer_id", collection: "consumers", nested: nested, topLevel: topLevel}
}

func credentialImportDoc(key string) string {
	return "Import ids: the credential's `id` or its `" + key + "`, optionally prefixed with the consumer's id or " +
		"username and a slash (`<consumer>/<id or " + key + ">`)."
}

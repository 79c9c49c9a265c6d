# -*- coding: utf-8 -*-
# Documentation shared by the gatewayd.toolkit Admin API modules (the
# modules themselves are Go binaries; this file only feeds ansible-doc).

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options:
  admin_url:
    description:
      - URL of the Admin API of gatewayd or Kong 3.x.
      - Falls back to the environment variable C(GATEWAYD_ADMIN_URL).
    type: str
    default: http://localhost:8001
  admin_token:
    description:
      - "Admin API token, sent as C(Authorization: Bearer <token>) (gatewayd's C(admin_token))."
      - Falls back to the environment variable C(GATEWAYD_ADMIN_TOKEN). Never printed.
    type: str
    aliases: [token]
  validate_certs:
    description:
      - Verify the Admin API's TLS certificate. Set to C(false) only for self-signed lab setups.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file of CA certificates to trust for an https C(admin_url), in addition to the system ones.
    type: path
  timeout:
    description:
      - Seconds one Admin API request may take. Connection errors, 429 and 5xx answers are retried
        with exponential backoff within three times this bound.
    type: int
    default: 30
notes:
  - "These modules talk to the Admin API from where they run: run them on the controller with
    C(delegate_to: localhost), or in a play on C(localhost) with C(connection: local)."

  - The binaries are static Linux executables (amd64 by default, arm64 with C(make collection-arm64)).
'''

    ENTITY = r'''
options:
  state:
    description:
      - C(present) creates the entity or updates the fields the task sets; C(absent) deletes it.
      - Only the options the task sets are compared; values the server filled in (defaults, ids,
        timestamps) are never drift. Sets (tags, methods, protocols) compare without order.
      - Deleting an entity that does not exist reports C(changed=false).
    type: str
    choices: [present, absent]
    default: present
  tags:
    description:
      - Tags of the entity (a set; order does not matter). Setting them replaces the entity's tags.
    type: list
    elements: str
'''

    ATTRIBUTES = r'''
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying the target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
    details:
      - The diff shows the whole entity before and after (without timestamps); only changed fields differ.
      - 'Secret values are shown as "[masked]", or "[masked] (changed)" when they change.'
  platform:
    description: Target OS/families that can be operated against.
    support: N/A
    platforms: posix
'''

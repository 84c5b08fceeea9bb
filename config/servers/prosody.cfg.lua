-- Prosody (0.12) pieces for the Sabir XMPP bridge in component mode.
-- Merge them into your prosody.cfg.lua; example.org is your server's domain.
--
-- Matching Sabir account (config.yml):
--
--   accounts:
--     xmpp:
--       protocol: xmpp
--       mode: component
--       server: 127.0.0.1:5347          # Prosody's component port
--       domain: sabir.example.org       # the Component line below
--       secret: "change-me"             # component_secret below
--       admins: [ "you@example.org" ]   # may run the ad-hoc admin commands
--       # files (all optional):
--       # upload_service: upload.example.org   # default: found by disco on example.org; "none" = off
--       # download_hosts: [ "upload.example.org" ]  # hosts whose links are fetched into the spool
--       # max_download_bytes: 104857600
--       # http_timeout_seconds: 30
--       # transfer_timeout_seconds: 300

-- The component port listens on loopback only: the secret travels in clear there.
component_ports = { 5347 }
component_interface = "127.0.0.1"

VirtualHost "example.org"

-- Rooms of your own users, unrelated to the bridge (the bridge serves its own rooms).
Component "conference.example.org" "muc"

-- XEP-0363 upload service. The bridge uploads files arriving from other networks here, asking for
-- slots as its component JID (sabir.example.org).
Component "upload.example.org" "http_file_share"
    http_file_share_size_limit = 100 * 1024 * 1024
    -- With http_file_share_access unset, Prosody lets every JID of a host it serves upload, and the
    -- component's domain is such a host: nothing else is needed. If you restrict uploads, keep
    -- the bridge's domain in the list:
    -- http_file_share_access = { "example.org", "sabir.example.org" }
    --
    -- All bridged files count against one uploader (the component) for the daily quota, which
    -- defaults to ten times the size limit; raise it on busy bridges:
    http_file_share_daily_quota = 1024 * 1024 * 1024
    -- The bridge fetches links to this service that your users post, so the URL it hands out must
    -- be reachable from the bridge. The bridge trusts the service's domain, example.org and the
    -- hosts of its own slots; list any other host in download_hosts.
    -- http_external_url = "https://upload.example.org/"

-- The bridge itself.
Component "sabir.example.org"
    component_secret = "change-me"

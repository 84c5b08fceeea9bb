/**
 * Profiles of bridged users as XMPP shows them: vcard-temp (XEP-0054) answers and the XEP-0153
 * avatar hash in presence.
 */
package dev.sabir.xmpp.vcard;

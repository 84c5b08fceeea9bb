package dev.sabir.ipcfile;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;

/** Makes tokens for tests. */
final class Tokens {
    static final String SECRET = "a test secret that is long enough for HS256!";
    static final String ISSUER = "https://issuer.test";
    static final String AUDIENCE = "sabir-ipcfile";

    private Tokens() {}

    static JWTClaimsSet.Builder claims(String sub) {
        return new JWTClaimsSet.Builder()
                .subject(sub)
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .expirationTime(Date.from(Instant.now().plusSeconds(600)))
                .notBeforeTime(Date.from(Instant.now().minusSeconds(5)));
    }

    static String hs256(String sub) {
        return hs256(claims(sub).build());
    }

    static String hs256(JWTClaimsSet claims) {
        try {
            SignedJWT jwt =
                    new SignedJWT(
                            new JWSHeader.Builder(JWSAlgorithm.HS256)
                                    .type(JOSEObjectType.JWT)
                                    .build(),
                            claims);
            jwt.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String rs256(JWTClaimsSet claims, PrivateKey key) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), claims);
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** EdDSA signed with the JDK (nimbus needs Tink for Ed25519 signing). */
    static String eddsa(JWTClaimsSet claims, PrivateKey key) {
        try {
            String header = Base64URL.encode("{\"alg\":\"EdDSA\",\"typ\":\"JWT\"}").toString();
            String payload = Base64URL.encode(claims.toString()).toString();
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(key);
            s.update((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
            return header + "." + payload + "." + Base64URL.encode(s.sign());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** An unsigned token ({@code alg: none}). */
    static String none(String sub) {
        String header = Base64URL.encode("{\"alg\":\"none\"}").toString();
        return header + "." + Base64URL.encode(claims(sub).build().toString()) + ".";
    }

    /** The token with one byte of its payload changed (signature kept). */
    static String tampered(String token) {
        String[] p = token.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(p[1]), StandardCharsets.UTF_8);
        String changed = payload.replace("\"sub\":\"", "\"sub\":\"x");
        return p[0] + "." + Base64URL.encode(changed) + "." + p[2];
    }

    static String pem(byte[] spki) {
        return "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(spki)
                + "\n-----END PUBLIC KEY-----\n";
    }
}

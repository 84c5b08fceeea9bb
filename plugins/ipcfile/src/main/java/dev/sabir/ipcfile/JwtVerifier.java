package dev.sabir.ipcfile;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import dev.sabir.api.AccountConfig;
import dev.sabir.api.InvalidConfigException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Checks the JWT of an AUTHENTICATION: the signature with a key from the account's {@code jwt}
 * section (HS256 secret, RS256 public key, EdDSA/Ed25519 public key), only the algorithms that have
 * a key ({@code alg: none} and every other algorithm are refused), {@code exp} (required) and
 * {@code nbf} with a small clock skew, the issuer and audience when configured, and a usable {@code
 * sub}, which becomes the user id.
 */
final class JwtVerifier {
    private static final Pattern SUBJECT = Pattern.compile("[\\p{L}\\p{N}._@+=-]{1,128}");
    private static final byte[] ED25519_SPKI_PREFIX =
            HexFormat.of().parseHex("302a300506032b6570032100");

    private final MACVerifier hs256;
    private final RSASSAVerifier rs256;
    private final PublicKey eddsa;
    private final String issuer;
    private final String audience;
    private final Duration skew;
    private final Clock clock;

    /**
     * Who a token names.
     *
     * @param user the {@code sub} claim
     * @param name a display name ({@code name} or {@code preferred_username}, else the user id)
     */
    record Identity(String user, String name) {}

    /** A token was refused; the message is the reason told to the client. */
    static final class TokenException extends Exception {
        private static final long serialVersionUID = 1L;

        TokenException(String reason) {
            super(reason);
        }
    }

    private JwtVerifier(
            MACVerifier hs256,
            RSASSAVerifier rs256,
            PublicKey eddsa,
            String issuer,
            String audience,
            Duration skew,
            Clock clock) {
        this.hs256 = hs256;
        this.rs256 = rs256;
        this.eddsa = eddsa;
        this.issuer = issuer;
        this.audience = audience;
        this.skew = skew;
        this.clock = clock;
    }

    /**
     * Reads the {@code jwt} section: {@code hs256_secret} (at least 32 bytes), {@code
     * rs256_public_key} (PEM or JWK), {@code eddsa_public_key} (PEM or JWK), {@code issuer}, {@code
     * audience}, {@code clock_skew} (seconds, default 60). At least one key is required.
     */
    static JwtVerifier from(AccountConfig jwt, Clock clock) throws InvalidConfigException {
        MACVerifier hs = null;
        RSASSAVerifier rs = null;
        PublicKey ed = null;
        if (jwt.has("hs256_secret")) {
            byte[] secret = jwt.string("hs256_secret").getBytes(StandardCharsets.UTF_8);
            if (secret.length < 32) {
                throw new InvalidConfigException(
                        "jwt.hs256_secret", "must be at least 32 bytes for HS256");
            }
            try {
                hs = new MACVerifier(secret);
            } catch (JOSEException e) {
                throw new InvalidConfigException("jwt.hs256_secret", e.getMessage());
            }
        }
        if (jwt.has("rs256_public_key")) {
            rs = new RSASSAVerifier(rsaKey(jwt.string("rs256_public_key").trim()));
        }
        if (jwt.has("eddsa_public_key")) {
            ed = edKey(jwt.string("eddsa_public_key").trim());
        }
        if (hs == null && rs == null && ed == null) {
            throw new InvalidConfigException(
                    "jwt",
                    "needs at least one of hs256_secret, rs256_public_key, eddsa_public_key");
        }
        String iss = jwt.string("issuer", null);
        String aud = jwt.string("audience", null);
        int skew = jwt.integer("clock_skew", 60, 0, 3600);
        return new JwtVerifier(hs, rs, ed, iss, aud, Duration.ofSeconds(skew), clock);
    }

    private static RSAPublicKey rsaKey(String text) throws InvalidConfigException {
        String key = "jwt.rs256_public_key";
        try {
            if (text.startsWith("{")) {
                return RSAKey.parse(text).toRSAPublicKey();
            }
            PublicKey k =
                    KeyFactory.getInstance("RSA")
                            .generatePublic(new X509EncodedKeySpec(pem(key, text)));
            return (RSAPublicKey) k;
        } catch (ParseException | JOSEException | GeneralSecurityException | ClassCastException e) {
            throw new InvalidConfigException(
                    key, "not an RSA public key (PEM or JWK): " + e.getMessage());
        }
    }

    private static PublicKey edKey(String text) throws InvalidConfigException {
        String key = "jwt.eddsa_public_key";
        try {
            byte[] spki;
            if (text.startsWith("{")) {
                OctetKeyPair okp = OctetKeyPair.parse(text);
                if (!Curve.Ed25519.equals(okp.getCurve())) {
                    throw new InvalidConfigException(key, "only Ed25519 keys are supported");
                }
                byte[] x = okp.getX().decode();
                spki = new byte[ED25519_SPKI_PREFIX.length + x.length];
                System.arraycopy(ED25519_SPKI_PREFIX, 0, spki, 0, ED25519_SPKI_PREFIX.length);
                System.arraycopy(x, 0, spki, ED25519_SPKI_PREFIX.length, x.length);
            } else {
                spki = pem(key, text);
            }
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
        } catch (ParseException | GeneralSecurityException e) {
            throw new InvalidConfigException(
                    key, "not an Ed25519 public key (PEM or JWK): " + e.getMessage());
        }
    }

    private static byte[] pem(String key, String text) throws InvalidConfigException {
        if (!text.contains("-----BEGIN PUBLIC KEY-----")) {
            throw new InvalidConfigException(
                    key, "expected a PEM block 'BEGIN PUBLIC KEY' or a JWK");
        }
        String body = text.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
        try {
            return Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException(key, "PEM body is not base64");
        }
    }

    /**
     * Checks a token.
     *
     * @return who it names
     * @throws TokenException with the reason for the client
     */
    Identity verify(String token) throws TokenException {
        JWT jwt;
        try {
            jwt = JWTParser.parse(token);
        } catch (ParseException e) {
            throw new TokenException("bad token: not a JWT");
        }
        if (!(jwt instanceof SignedJWT signed)) {
            throw new TokenException("bad token: unsigned or encrypted tokens are refused");
        }
        JWSHeader header = signed.getHeader();
        if (header.getCriticalParams() != null && !header.getCriticalParams().isEmpty()) {
            throw new TokenException("bad token: critical header parameters are not supported");
        }
        JWSAlgorithm alg = header.getAlgorithm();
        boolean valid;
        try {
            if (JWSAlgorithm.HS256.equals(alg) && hs256 != null) {
                valid = signed.verify(hs256);
            } else if (JWSAlgorithm.RS256.equals(alg) && rs256 != null) {
                valid = signed.verify(rs256);
            } else if ((JWSAlgorithm.EdDSA.equals(alg) || JWSAlgorithm.Ed25519.equals(alg))
                    && eddsa != null) {
                Signature s = Signature.getInstance("Ed25519");
                s.initVerify(eddsa);
                s.update(signed.getSigningInput());
                valid = s.verify(signed.getSignature().decode());
            } else {
                throw new TokenException("bad token: algorithm " + alg + " is not accepted");
            }
        } catch (JOSEException | GeneralSecurityException | IllegalStateException e) {
            valid = false;
        }
        if (!valid) {
            throw new TokenException("bad token: signature does not verify");
        }
        JWTClaimsSet claims;
        try {
            claims = signed.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new TokenException("bad token: claims are not a JSON object");
        }
        Instant now = clock.instant();
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            throw new TokenException("bad token: no expiry (exp)");
        }
        if (now.isAfter(exp.toInstant().plus(skew))) {
            throw new TokenException("bad token: expired");
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now.plus(skew).isBefore(nbf.toInstant())) {
            throw new TokenException("bad token: not valid yet (nbf)");
        }
        if (issuer != null && !issuer.equals(claims.getIssuer())) {
            throw new TokenException("bad token: wrong issuer");
        }
        if (audience != null) {
            List<String> aud = claims.getAudience();
            if (aud == null || !aud.contains(audience)) {
                throw new TokenException("bad token: wrong audience");
            }
        }
        String sub = claims.getSubject();
        if (sub == null || !SUBJECT.matcher(sub).matches()) {
            throw new TokenException("bad token: missing or unusable subject (sub)");
        }
        String name = sub;
        try {
            String n = claims.getStringClaim("name");
            if (n == null) {
                n = claims.getStringClaim("preferred_username");
            }
            if (n != null
                    && !n.isBlank()
                    && n.length() <= 64
                    && n.codePoints().noneMatch(Character::isISOControl)) {
                name = n;
            }
        } catch (ParseException e) {
            // a non-text name claim: keep the user id
        }
        return new Identity(sub, name);
    }
}

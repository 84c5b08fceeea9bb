package dev.sabir.ipcfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.sabir.api.AccountConfig;
import dev.sabir.api.InvalidConfigException;
import dev.sabir.ipcfile.JwtVerifier.TokenException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Token checks: keys of three kinds, claims, and the tokens that must be refused. */
class JwtVerifierTest {
    static KeyPair rsa;
    static KeyPair ed;

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        rsa = g.generateKeyPair();
        ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    }

    private static JwtVerifier verifier(Map<String, Object> jwt) throws InvalidConfigException {
        return JwtVerifier.from(new AccountConfig("up", "ipcfile", true, jwt), Clock.systemUTC());
    }

    private static JwtVerifier all() throws InvalidConfigException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hs256_secret", Tokens.SECRET);
        m.put("rs256_public_key", Tokens.pem(rsa.getPublic().getEncoded()));
        m.put("eddsa_public_key", Tokens.pem(ed.getPublic().getEncoded()));
        m.put("issuer", Tokens.ISSUER);
        m.put("audience", Tokens.AUDIENCE);
        return verifier(m);
    }

    @Test
    void acceptsEachConfiguredAlgorithm() throws Exception {
        JwtVerifier v = all();
        assertThat(v.verify(Tokens.hs256("alice")).user()).isEqualTo("alice");
        assertThat(v.verify(Tokens.rs256(Tokens.claims("bob").build(), rsa.getPrivate())).user())
                .isEqualTo("bob");
        assertThat(
                        v.verify(
                                Tokens.eddsa(
                                        Tokens.claims("carol").claim("name", "Carol C").build(),
                                        ed.getPrivate())))
                .isEqualTo(new JwtVerifier.Identity("carol", "Carol C"));
    }

    @Test
    void acceptsAnEd25519KeyGivenAsJwk() throws Exception {
        byte[] spki = ed.getPublic().getEncoded();
        byte[] x = Arrays.copyOfRange(spki, spki.length - 32, spki.length);
        String jwk =
                new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(x)).build().toJSONString();
        JwtVerifier v = verifier(Map.of("eddsa_public_key", jwk));
        assertThat(v.verify(Tokens.eddsa(Tokens.claims("dave").build(), ed.getPrivate())).user())
                .isEqualTo("dave");
    }

    @Test
    void refusesExpiredAndNotYetValidTokensBeyondTheSkew() throws Exception {
        JwtVerifier v = all();
        Instant now = Instant.now();
        String expired =
                Tokens.hs256(
                        Tokens.claims("alice")
                                .expirationTime(Date.from(now.minusSeconds(120)))
                                .build());
        assertThatThrownBy(() -> v.verify(expired))
                .isInstanceOf(TokenException.class)
                .hasMessageContaining("expired");
        String justExpired =
                Tokens.hs256(
                        Tokens.claims("alice")
                                .expirationTime(Date.from(now.minusSeconds(10)))
                                .build());
        assertThat(v.verify(justExpired).user()).isEqualTo("alice");
        String early =
                Tokens.hs256(
                        Tokens.claims("alice")
                                .notBeforeTime(Date.from(now.plusSeconds(600)))
                                .build());
        assertThatThrownBy(() -> v.verify(early)).hasMessageContaining("not valid yet");
        String noExp =
                Tokens.hs256(
                        new JWTClaimsSet.Builder()
                                .subject("alice")
                                .issuer(Tokens.ISSUER)
                                .audience(Tokens.AUDIENCE)
                                .build());
        assertThatThrownBy(() -> v.verify(noExp)).hasMessageContaining("no expiry");
    }

    @Test
    void refusesTamperedUnsignedAndUnconfiguredAlgorithms() throws Exception {
        JwtVerifier v = all();
        assertThatThrownBy(() -> v.verify(Tokens.tampered(Tokens.hs256("alice"))))
                .hasMessageContaining("signature");
        assertThatThrownBy(() -> v.verify(Tokens.none("alice"))).hasMessageContaining("unsigned");
        assertThatThrownBy(() -> v.verify("not.a.jwt")).isInstanceOf(TokenException.class);
        JwtVerifier rsOnly =
                verifier(Map.of("rs256_public_key", Tokens.pem(rsa.getPublic().getEncoded())));
        assertThatThrownBy(() -> rsOnly.verify(Tokens.hs256("alice")))
                .hasMessageContaining("algorithm HS256");
    }

    @Test
    void checksIssuerAudienceAndSubject() throws Exception {
        JwtVerifier v = all();
        assertThatThrownBy(() -> v.verify(Tokens.hs256(Tokens.claims("a").issuer("other").build())))
                .hasMessageContaining("issuer");
        assertThatThrownBy(
                        () -> v.verify(Tokens.hs256(Tokens.claims("a").audience("other").build())))
                .hasMessageContaining("audience");
        assertThatThrownBy(() -> v.verify(Tokens.hs256(Tokens.claims("../etc").build())))
                .hasMessageContaining("subject");
    }

    @Test
    void configNeedsAKeyAndALongEnoughSecret() {
        assertThatThrownBy(() -> verifier(Map.of())).isInstanceOf(InvalidConfigException.class);
        assertThatThrownBy(() -> verifier(Map.of("hs256_secret", "short")))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("32 bytes");
        assertThatThrownBy(() -> verifier(Map.of("rs256_public_key", "garbage")))
                .isInstanceOf(InvalidConfigException.class);
    }
}

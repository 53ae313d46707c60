package io.fashionstream.worker.fetch;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.URI;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FetchPolicyTest {
    private final FetchPolicy policy = FetchPolicy.of(List.of("images.example.com", "*.cdn.example.net",
            "203.0.113.0/24", "10.20.0.0/16"), false);

    @Test
    void namesPatternsAndRangesLetUrlsThrough() throws Exception {
        assertEquals("images.example.com", policy.checkUrl(URI.create("https://images.example.com/a.jpg")));
        assertEquals("images.example.com", policy.checkUrl(URI.create("https://IMAGES.example.com/a.jpg")));
        assertEquals("*.cdn.example.net", policy.checkUrl(URI.create("https://eu.cdn.example.net/a.jpg")));
        assertEquals("203.0.113.0/24", policy.checkUrl(URI.create("https://203.0.113.9/a.jpg")));
    }

    @Test
    void everythingElseIsForbidden() {
        for (String url : List.of("https://cdn.example.net/a.jpg", "https://evilcdn.example.net/a.jpg",
                "https://images.example.com.evil.test/a.jpg", "http://images.example.com/a.jpg",
                "ftp://images.example.com/a.jpg", "https://user:pw@images.example.com/a.jpg", "https://10.21.0.1/a",
                "https://127.0.0.1/a", "file:///etc/passwd")) {
            FetchException e = assertThrows(FetchException.class, () -> policy.checkUrl(URI.create(url)), url);
            assertEquals(FetchException.Reason.FETCH_FORBIDDEN, e.reason(), url);
        }
        assertFalse(FetchPolicy.of(List.of(), true).enabled());
    }

    @Test
    void internalAddressesNeedARangeThatNamesThem() throws Exception {
        // a listed name resolving to loopback, a private, a metadata or a unique-local address: refused
        for (String internal : List.of("127.0.0.1", "10.0.0.5", "192.168.1.1", "172.16.0.1", "169.254.169.254",
                "100.64.0.1", "0.0.0.0", "::1", "fd00::1", "fe80::1", "::ffff:127.0.0.1")) {
            InetAddress a = InetAddress.getByName(internal);
            assertTrue(FetchPolicy.isInternal(a), internal);
            assertThrows(FetchException.class, () -> policy.checkAddress("images.example.com", a), internal);
        }
        // the private range the list names explicitly is allowed, for any name
        policy.checkAddress("images.example.com", InetAddress.getByName("10.20.3.4"));
        // a public address of a listed name is allowed; of a name not listed, not
        policy.checkAddress("images.example.com", InetAddress.getByName("93.184.216.34"));
        assertThrows(FetchException.class, () -> policy.checkAddress("other.example.org",
                InetAddress.getByName("93.184.216.34")));
        assertFalse(FetchPolicy.isInternal(InetAddress.getByName("2606:4700::1111")));
    }

    @Test
    void httpOnlyWhenAllowedAndBadEntriesAreNamed() throws Exception {
        assertEquals("127.0.0.1/32", FetchPolicy.of(List.of("127.0.0.1/32"), true)
                .checkUrl(URI.create("http://127.0.0.1:8080/a.png")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FetchPolicy.of(List.of("images.example.com", "not a host!"), false));
        assertTrue(e.getMessage().contains("not a host!"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FetchPolicy.of(List.of("10.0.0.0/33"), false));
    }
}

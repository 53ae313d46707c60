package io.fashionstream.worker.fetch;

import org.apache.hc.client5.http.DnsResolver;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Resolves a host and keeps only the addresses the {@link FetchPolicy} allows: the connection is
 * made to an address that was checked, never to one a second lookup might give (DNS rebinding).
 * With none left it throws {@link Forbidden}, before any connection is attempted.
 */
final class GuardedDnsResolver implements DnsResolver {
    /** A host whose every address the policy refuses. */
    static final class Forbidden extends UnknownHostException {
        final transient FetchException why;

        Forbidden(FetchException why) {
            super(why.getMessage());
            this.why = why;
        }
    }

    /** The lookup itself: the system's, or in tests one that answers names of their own. */
    @FunctionalInterface
    interface Lookup {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final FetchPolicy policy;
    private final Lookup system;

    GuardedDnsResolver(FetchPolicy policy) {
        this(policy, InetAddress::getAllByName);
    }

    GuardedDnsResolver(FetchPolicy policy, Lookup system) {
        this.policy = policy;
        this.system = system;
    }

    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress[] all = system.resolve(bare);
        List<InetAddress> allowed = new ArrayList<>();
        FetchException first = null;
        for (InetAddress a : all) {
            try {
                policy.checkAddress(bare, a);
                allowed.add(a);
            } catch (FetchException e) {
                first = first == null ? e : first;
            }
        }
        if (allowed.isEmpty()) {
            throw new Forbidden(first != null ? first : FetchException.forbidden("host '" + bare + "' has no address"));
        }
        return allowed.toArray(new InetAddress[0]);
    }

    @Override
    public List<InetSocketAddress> resolve(String host, int port) throws UnknownHostException {
        return Arrays.stream(resolve(host)).map(a -> new InetSocketAddress(a, port)).toList();
    }

    @Override
    public String resolveCanonicalHostname(String host) {
        return host; // never used to decide anything: no reverse lookup
    }
}

package dev.llmgateway.shared;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one event loop's requests hold in Redis under a lease: concurrency slots (an intrusive list, no node
 * allocated) and USD reservations; and the refresh calls that extend their leases while the requests run.
 * Loop-confined, like its {@link RedisLink}.
 */
final class HeldLeases {
    private final String leaseMillis;
    private final Set<UsdReservation> reservations = new HashSet<>();
    private Slot slotsHead;

    HeldLeases(String leaseMillis) {
        this.leaseMillis = leaseMillis;
    }

    void hold(Slot slot) {
        slot.next = slotsHead;
        if (slotsHead != null) {
            slotsHead.previous = slot;
        }
        slotsHead = slot;
    }

    void release(Slot slot) {
        if (slot.previous != null) {
            slot.previous.next = slot.next;
        } else if (slotsHead == slot) {
            slotsHead = slot.next;
        }
        if (slot.next != null) {
            slot.next.previous = slot.previous;
        }
        slot.previous = null;
        slot.next = null;
    }

    void hold(UsdReservation reservation) {
        reservations.add(reservation);
    }

    void release(UsdReservation reservation) {
        reservations.remove(reservation);
    }

    /**
     * The refresh calls' arguments, by sorted set: one per gateway key's slots and per budget's reservations, each
     * the lease and then the members whose lease it extends; empty when nothing is held.
     */
    Map<String, List<String>> refreshArguments() {
        Map<String, List<String>> byKey = new LinkedHashMap<>();
        for (Slot slot = slotsHead; slot != null; slot = slot.next) {
            leased(byKey, slot.counters.slotsKey).add(slot.id);
        }
        for (UsdReservation reservation : reservations) {
            for (int i = 1; i < reservation.keys.length; i += 2) {
                leased(byKey, reservation.keys[i]).add(reservation.member);
            }
        }
        return byKey;
    }

    private List<String> leased(Map<String, List<String>> byKey, String key) {
        return byKey.computeIfAbsent(key, k -> {
            List<String> args = new ArrayList<>();
            args.add(leaseMillis);
            return args;
        });
    }
}

package io.baton.workers.engine;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;

/**
 * Injected faults of one simulated GPU. Faults are sticky, like on real hardware: after an XID every
 * start and step fails with it, and after a hang every step blocks, until {@link #clear()} (a GPU
 * reset) or, for a hang, {@link #releaseHang()}. Thread-safe; the chaos tools call it while
 * generations run.
 */
public final class FaultHooks {
  private record Armed(Fault fault, long atStep) {}

  private final List<Armed> armed = new ArrayList<>();
  private long decodeSteps;
  private Integer failedXid;
  private CountDownLatch hang;
  private int blockedSteps;
  private double slowdown = 1;

  public synchronized void inject(Fault fault) {
    // Java 17 has no pattern switch yet; the interface is sealed, so these are all the cases.
    if (fault instanceof Fault.Slowdown s) {
      slowdown = s.factor();
    } else if (fault instanceof Fault.Xid x) {
      armed.add(new Armed(x, decodeSteps + x.atStep()));
    } else if (fault instanceof Fault.Hang h) {
      armed.add(new Armed(h, decodeSteps + h.atStep()));
    }
  }

  /** Lets every hung step continue; a hang armed for a later step stays armed. */
  public synchronized void releaseHang() {
    if (hang != null) {
      hang.countDown();
      hang = null;
    }
  }

  /** A GPU reset: no armed faults, no XID, no hang, full speed. */
  public synchronized void clear() {
    armed.clear();
    failedXid = null;
    slowdown = 1;
    releaseHang();
  }

  /** The XID the GPU failed with, if it has. */
  public synchronized Optional<Integer> failedXid() {
    return Optional.ofNullable(failedXid);
  }

  public synchronized boolean hung() {
    return hang != null;
  }

  /** Steps now blocked in a hang; tests wait for this before releasing. */
  public synchronized int blockedSteps() {
    return blockedSteps;
  }

  public synchronized double slowdown() {
    return slowdown;
  }

  void beforeStart() {
    CountDownLatch wait;
    synchronized (this) {
      throwIfFailed();
      wait = enterHang();
    }
    awaitRelease(wait);
  }

  void beforeDecodeStep() {
    CountDownLatch wait;
    synchronized (this) {
      throwIfFailed();
      decodeSteps++;
      for (Iterator<Armed> it = armed.iterator(); it.hasNext(); ) {
        Armed a = it.next();
        if (a.atStep() <= decodeSteps) {
          it.remove();
          if (a.fault() instanceof Fault.Xid x && failedXid == null) {
            failedXid = x.code();
          } else if (a.fault() instanceof Fault.Hang && hang == null) {
            hang = new CountDownLatch(1);
          }
        }
      }
      throwIfFailed();
      wait = enterHang();
    }
    awaitRelease(wait);
  }

  private void throwIfFailed() {
    if (failedXid != null) {
      throw new XidException(failedXid, "injected fault on the simulated GPU");
    }
  }

  private CountDownLatch enterHang() {
    if (hang != null) {
      blockedSteps++;
    }
    return hang;
  }

  private void awaitRelease(CountDownLatch wait) {
    if (wait == null) {
      return;
    }
    try {
      wait.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CancellationException("interrupted while the simulated GPU hung");
    } finally {
      synchronized (this) {
        blockedSteps--;
      }
    }
  }
}

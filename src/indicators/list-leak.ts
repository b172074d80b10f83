/**
 * Fix for technicalindicators' LinkedList leak (upstream issue #264).
 *
 * `LinkedList.shift()` advances the head but leaves the new head's `prev` pointing at the removed
 * item, whose own `prev` points at the one removed before it, and so on: every value ever shifted
 * stays reachable from the list. SMA, SD and BollingerBands shift once per update (Bollinger three
 * times: its SMA, its SD and the SD's own SMA), so a long-running exporter grows by ~190 bytes per
 * Bollinger update. The lists are locals of the library's generator functions, so no caller can
 * reach them to clear the pointer after an update; the one place to fix it is the shared
 * `shift`. The patch does what the library's own `removeCurrent()` does when it removes the head
 * (`this._head.prev = undefined`), so list behaviour is unchanged: nothing reads a head's `prev`.
 */
import { FixedSizeLinkedList } from 'technicalindicators';

interface Node {
  prev?: Node;
}
interface ListProto {
  _head?: Node;
  shift(this: ListProto): unknown;
}

const MARK = Symbol.for('market-exporter.linkedListShiftFixed');

/** Patch LinkedList.prototype.shift once per process (idempotent). Returns true if patched now. */
export function fixLinkedListLeak(): boolean {
  // LinkedList itself is not exported; FixedSizeLinkedList extends it.
  const proto = Object.getPrototypeOf(FixedSizeLinkedList.prototype) as ListProto & { [MARK]?: true };
  if (proto[MARK]) return false;
  const shift = proto.shift;
  proto.shift = function (this: ListProto) {
    const value = shift.call(this);
    if (this._head) this._head.prev = undefined;
    return value;
  };
  proto[MARK] = true;
  return true;
}

/** Whether the patch is in place (for tests and diagnostics). */
export function linkedListLeakFixed(): boolean {
  const proto = Object.getPrototypeOf(FixedSizeLinkedList.prototype) as { [MARK]?: true };
  return proto[MARK] === true;
}

import { expect } from 'vitest';

/** The error `fn` throws, checked to be an instance of `type` (fails the test when nothing is thrown). */
export function thrown<E extends Error>(type: abstract new (...args: never[]) => E, fn: () => unknown): E {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(type);
    return err as E;
  }
  throw new Error(`expected a ${type.name}`);
}

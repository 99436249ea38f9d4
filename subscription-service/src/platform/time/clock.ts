/** Every "now" in the service comes from here so tests can control time. */
export interface Clock {
  now(): Date;
}

export const CLOCK = Symbol('CLOCK');

export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }
}

/** Uniform random numbers in [0, 1); injectable so simulations and jitter are reproducible in tests. */
export type RandomSource = () => number;

export const RANDOM_SOURCE = Symbol('RANDOM_SOURCE');

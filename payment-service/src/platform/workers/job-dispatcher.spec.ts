import { JobDispatcher } from './job-dispatcher';

/** A job that runs until its test releases it. */
function gatedRun() {
  const started: string[] = [];
  const release = new Map<string, () => void>();
  const run = (job: string) =>
    new Promise<void>((resolve) => {
      started.push(job);
      release.set(job, resolve);
    });
  return { started, release, run };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe(JobDispatcher.name, () => {
  it('should run at most `concurrency` jobs, counting reserved slots as taken', async () => {
    const { started, release, run } = gatedRun();
    const freed = jest.fn();
    const dispatcher = new JobDispatcher<string>(2, run, freed);

    expect(dispatcher.reserve()).toBe(true);
    dispatcher.start('a');
    expect(dispatcher.reserve()).toBe(true);
    expect(dispatcher.freeSlots).toBe(0);
    expect(dispatcher.reserve()).toBe(false);
    dispatcher.start('b');
    expect(started).toEqual(['a', 'b']);

    release.get('a')?.();
    await flush();
    expect(freed).toHaveBeenCalledTimes(1);
    expect(dispatcher.freeSlots).toBe(1);
  });

  it('should take every free slot at once for a claim, and give back the ones it did not use', () => {
    const dispatcher = new JobDispatcher<string>(3, gatedRun().run, jest.fn());
    expect(dispatcher.reserve()).toBe(true);
    expect(dispatcher.reserveFree()).toBe(2);
    expect(dispatcher.freeSlots).toBe(0);
    dispatcher.cancel();
    expect(dispatcher.freeSlots).toBe(1);
  });

  it('should free the slot of a cancelled reservation', () => {
    const dispatcher = new JobDispatcher<string>(1, gatedRun().run, jest.fn());
    expect(dispatcher.reserve()).toBe(true);
    dispatcher.cancel();
    expect(dispatcher.freeSlots).toBe(1);
  });

  it('should refuse reservations once closed and resolve idle() when the running jobs end', async () => {
    const { release, run } = gatedRun();
    const dispatcher = new JobDispatcher<string>(3, run, jest.fn());
    dispatcher.reserve();
    dispatcher.start('a');
    dispatcher.close();
    expect(dispatcher.reserve()).toBe(false);

    let idle = false;
    const waiting = dispatcher.idle().then(() => (idle = true));
    await flush();
    expect(idle).toBe(false);
    release.get('a')?.();
    await waiting;
    expect(idle).toBe(true);
  });
});

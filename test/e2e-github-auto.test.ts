// End to end, the `auto` queue (SPEC §2) against the GitHub emulator: an `[[projects]] auto` rule
// starts loops for issues opened by a listed author, by webhook and by the poller, on the `auto`
// queue. (Auto labels take the label path of intake, unit-tested in src/scheduler/intake.test.ts.)
import { describe, it } from 'vitest';
import { deliverAbout, finished, REPO, startWorld } from './support/github-loop-world.js';
import { eventually, readEvents } from './support/loop-events.js';

describe.concurrent('the auto queue on GitHub', { timeout: 120_000 }, () => {
  it('an issue opened by a listed author starts a loop by webhook and by polling; others do not', async ({
    expect,
  }) => {
    const w = await startWorld({
      pollSecs: 1,
      projectToml: ['auto = { labels = ["bug"], authors = ["carol"] }'],
    });
    try {
      const { gh } = w;
      gh.setCollaborator(REPO, 'carol', 'read');
      const first = gh.createIssue(REPO, {
        title: 'Fix add',
        body: 'add() subtracts.',
        author: 'carol',
      });
      const delivered = await deliverAbout(w, {
        event: 'issues',
        action: 'opened',
        number: first.number,
        sender: 'carol',
      });
      expect(delivered).toMatchObject({ status: 202, accepted: true });
      const done = await finished(w, delivered.loopId ?? '', first.number);
      expect(done.stage).toBe('ready');
      expect(done.events.find((e) => e.type === 'loop.created')?.data).toMatchObject({
        queue: 'auto',
        actor: 'carol',
        source: 'webhook',
      });

      // The poller has read the open issues once (its cursor): a new one by carol is news, one by
      // dave is not.
      const issuesFeed = () =>
        gh.requests.filter(
          (r) => r.route === 'GET /repos/{owner}/{repo}/issues' && r.status === 200,
        );
      await eventually(issuesFeed, (answers) => answers.length >= 1, 20_000);
      const after = done.events.at(-1)?.id ?? 0;
      gh.createIssue(REPO, { title: 'Ignore me', author: 'dave' });
      const second = gh.createIssue(REPO, { title: 'Fix add again', author: 'carol' });
      const created = await readEvents(w.env, { after }, (e) => e.type === 'loop.created');
      expect(created.at(-1)?.data).toMatchObject({
        number: second.number,
        queue: 'auto',
        source: 'poll',
      });
      expect(gh.violations).toEqual([]);
    } finally {
      await w.close();
    }
  });
});

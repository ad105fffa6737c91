import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import {
  ANY_CAMPAIGN_SCOPE,
  Campaign,
  CheckResult,
} from '@internal/backstage-plugin-security-guardrails-common';
import { databaseServiceFor } from '../__testUtils__/database';
import { nonRootRecord } from '../__testUtils__/postures';
import { DatabasePostureStore } from '../posture/DatabasePostureStore';
import { CampaignNudges, dueMilestones } from './CampaignNudges';
import { DatabaseCampaignStore } from './DatabaseCampaignStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const DAY = 86_400_000;
const START = Date.parse('2026-12-01T00:00:00.000Z');

const campaign: Campaign = {
  id: '33333333-3333-4333-8333-333333333333',
  name: 'No root',
  description: '',
  owner: 'group:default/security-leads',
  state: 'active',
  startsAt: new Date(START).toISOString(),
  deadline: new Date(START + 28 * DAY).toISOString(),
  target: { checkIds: ['sc.non-root'] },
  scope: ANY_CAMPAIGN_SCOPE,
  createdBy: 'user:default/sam',
  createdAt: new Date(START).toISOString(),
  updatedBy: 'user:default/sam',
  updatedAt: new Date(START).toISOString(),
};

const record = (name: string, owner: string, status: CheckResult['status']) =>
  nonRootRecord(name, owner, status, new Date(START).toISOString());

describe('dueMilestones', () => {
  const team = (done: number) => ({
    owner: 'group:default/web',
    services: 2,
    done,
  });
  it.each([
    [-1, 0, []],
    [0, 0, ['started']],
    [20, 0, ['started']],
    [21, 0, ['started', 'reminder']],
    [21, 2, ['started', 'completed']],
    [28, 1, ['deadline']],
    [40, 2, ['completed']],
  ])('day %i with %i of 2 done: %j', (d, done, want) => {
    expect(dueMilestones(campaign, team(done), START + d * DAY, 7)).toEqual(
      want,
    );
  });
});

describe.each(databases.eachSupportedId())('CampaignNudges on %s', id => {
  let store: DatabaseCampaignStore;
  let postures: DatabasePostureStore;
  let now: number;
  const sent: Array<{ to: unknown; title: string; scope?: string }> = [];
  const sender = {
    send: jest.fn(async (n: any) => {
      sent.push({
        to: n.recipients.entityRef,
        title: n.payload.title,
        scope: n.payload.scope,
      });
    }),
  };
  const replica = () =>
    new CampaignNudges({
      store,
      claim: (key, value) => postures.claimOrgState(key, value),
      sender,
      logger: mockServices.logger.mock(),
      reminderDays: 7,
      now: () => new Date(now),
    });

  beforeEach(async () => {
    sent.length = 0;
    const knex = await databases.init(id as TestDatabaseId);
    const database = databaseServiceFor(knex);
    postures = await DatabasePostureStore.create({ database });
    store = await DatabaseCampaignStore.create({ database });
    await postures.save([
      record('a', 'group:default/web', 'fail'),
      record('b', 'group:default/web', 'pass'),
      record('c', 'group:default/pay', 'pass'),
    ]);
    await store.create(campaign);
  });

  it('tells each team once per milestone, across runs and two replicas', async () => {
    now = START + DAY;
    await Promise.all([replica().run(), replica().run()]);
    await replica().run();
    expect(sent.map(s => [s.to, s.title]).sort()).toEqual([
      ['group:default/pay', 'Campaign started: No root'],
      ['group:default/pay', 'Done: No root'],
      ['group:default/web', 'Campaign started: No root'],
    ]);

    // A week before the deadline, the team not done is reminded; then at the deadline.
    sent.length = 0;
    now = START + 22 * DAY;
    await Promise.all([replica().run(), replica().run()]);
    now = START + 29 * DAY;
    await replica().run();
    await replica().run();
    expect(sent.map(s => [s.to, s.title, s.scope])).toEqual([
      [
        'group:default/web',
        'Due 2026-12-29: No root',
        `campaign:${campaign.id}:reminder`,
      ],
      [
        'group:default/web',
        'Deadline passed: No root',
        `campaign:${campaign.id}:deadline`,
      ],
    ]);
  });
});

import { fail, notApplicable, pass, warn } from './check';

describe('finding helpers', () => {
  it('give every finding the same properties in the same order', () => {
    const findings = [
      pass('ok'),
      fail('bad', { field: 'spec.hostNetwork', observed: 'true' }),
      warn('hm', { container: 'api', severity: 'low' }),
      notApplicable('n/a', {
        resource: { apiVersion: 'v1', kind: 'ConfigMap', name: 'x' },
      }),
    ];
    const keys = findings.map(f => Object.keys(f).join(','));
    expect(new Set(keys).size).toBe(1);
  });

  it('keep what they are given', () => {
    expect(
      fail('bad', { field: 'spec.hostNetwork', observed: 'true' }),
    ).toEqual({
      status: 'fail',
      message: 'bad',
      field: 'spec.hostNetwork',
      observed: 'true',
    });
    expect(warn('hm', { container: 'api', severity: 'low' })).toMatchObject({
      status: 'warn',
      container: 'api',
      severity: 'low',
    });
  });
});

import { toCsv } from './csv';

describe('csv', () => {
  it('quotes cells that need it', () => {
    expect(toCsv([['a', 'b,c', 'say "hi"', null, 3]])).toBe(
      'a,"b,c","say ""hi""",,3\r\n',
    );
  });
});

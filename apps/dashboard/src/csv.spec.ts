import { describe, expect, it } from 'vitest';
import { csvCell, toCsv } from './csv';

describe('CSV export', () => {
  it('writes RFC 4180 rows with CRLF and quotes what needs quoting', () => {
    expect(
      toCsv(
        ['model', 'cost_usd', 'requests'],
        [
          ['gpt-5.5', '12.345678', 3],
          ['say "hi", then\nbye', '0', 0],
          [null, undefined, 1],
        ],
      ),
    ).toBe('model,cost_usd,requests\r\ngpt-5.5,12.345678,3\r\n"say ""hi"", then\nbye",0,0\r\n,,1\r\n');
  });

  it('keeps money exact: the decimal string is written as received', () => {
    expect(csvCell('0.000000123456789')).toBe('0.000000123456789');
    expect(csvCell('-1.50')).toBe('-1.50');
  });

  it('defuses text a spreadsheet would run as a formula', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell('+1+2')).toBe("'+1+2");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('-not-a-number')).toBe("'-not-a-number");
  });
});

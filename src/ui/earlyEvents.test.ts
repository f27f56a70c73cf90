import { describe, expect, it } from 'vitest';
import { fakeClient } from '../../tools/testing/storeHarness';
import { bufferEvents } from './earlyEvents';

describe('events before the page listens', () => {
  it('reach the first listener, in order, once; later ones as they come', async () => {
    const fake = fakeClient();
    const client = bufferEvents(fake.client);
    fake.emit({ type: 'notice', level: 'info', message: 'one' });
    fake.emit({ type: 'notice', level: 'info', message: 'two' });
    const first: string[] = [];
    const second: string[] = [];
    client.onEvent((e) => first.push(e.type === 'notice' ? e.message : e.type));
    client.onEvent((e) => second.push(e.type === 'notice' ? e.message : e.type));
    fake.emit({ type: 'notice', level: 'info', message: 'three' });
    expect(first).toEqual(['one', 'two', 'three']);
    expect(second).toEqual(['three']);
    expect(await client.call('listModels', {})).toEqual([]);
  });
});

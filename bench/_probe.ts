import { startPrivateRedis } from '../lab/cluster/private-redis.js';
import { connectRedis } from '../lab/cluster/redis-connect.js';
import { parseRedisUrl } from '../lab/cluster/redis-url.js';
import { NodeProcess } from '../test/helpers/cluster-process.js';
const r = await startPrivateRedis();
const redis = await connectRedis(parseRedisUrl(r.url)!);
for (const speed of [10, 50]) {
const spec = { role: 'throttle' as const, url: r.url, prefix: 'p'+speed, rate: 9, speed, grants: 18*speed };
const nodes = [new NodeProcess({ ...spec, node: 'a' }), new NodeProcess({ ...spec, node: 'b' })];
await Promise.all(nodes.map((n) => n.waitFor('ready')));
await redis.rpush(`p${speed}:probe:go`, 1, 1);
const done = await Promise.all(nodes.map((n) => n.waitFor('done')));
const all = done.flatMap((d) => d.grants as number[]).sort((x, y) => x - y);
console.log(speed, 'all', ((all.length - 1) / ((all.at(-1)! - all[0]!) / 1000)).toFixed(2));
const gaps = all.slice(1).map((g, i) => g - all[i]!); gaps.sort((x,y)=>x-y); const q=(p:number)=>gaps[Math.floor(p*(gaps.length-1))]!.toFixed(2); console.log('gaps p1 p50 p99 max', q(0.01), q(0.5), q(0.99), q(1));
// windows
const s = all.map((g) => ((g - all[0]!) * speed) / 1000); let j=0; const counts:number[]=[];
for (let i=0;i<s.length;i++){ if (s[i]!+10> s.at(-1)!) break; while(j<s.length && s[j]!< s[i]!+10) j++; counts.push(j-i);} console.log('window min max', Math.min(...counts), Math.max(...counts));
}
redis.disconnect();
await r.stop();

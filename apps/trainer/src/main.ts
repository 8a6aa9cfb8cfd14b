console.log('score-train: wiring check', process.argv.slice(2));
import('@score/core').then((core) => console.log(Object.keys(core).length, 'core exports'));

#!/usr/bin/env node
// Launcher for `score-infer` (see launch.js: TypeScript sources inside the repository, dist/ in built installs).
import { launch } from './launch.js';

await launch('infer-main');

import { edgeflags } from './edgeflags';

export const proxy = edgeflags;

export const config = { matcher: ['/((?!_next/|favicon.ico).*)'] };

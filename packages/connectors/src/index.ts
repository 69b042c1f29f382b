import { hello } from "@content-sync/intercom"; export const twice = (): string => hello() + "!";

DROP TABLE area_opinions;
